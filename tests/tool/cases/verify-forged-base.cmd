signet $T verify bob=sg1sijl2moqdrfannjy3x7qmk344u@isp.example
