signet $T verify alice=sg1sijl2moqdrfannjy3x7qmk344v@isp.example
