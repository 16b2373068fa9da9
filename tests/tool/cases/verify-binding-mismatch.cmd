signet $T verify alice=sg1sijl2moqdrfannjy3x7qmk344u@isp.example --message-id '<m2@isp.example>'
