signet $T verify alice=sg5sijl2moqdrfannjy3x7qmk344u@isp.example
