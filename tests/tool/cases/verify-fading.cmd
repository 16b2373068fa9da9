signet --now 2027-01-08T00:00:00Z verify alice=sg1sijl2moqdrfannjy3x7qmk344u@isp.example
