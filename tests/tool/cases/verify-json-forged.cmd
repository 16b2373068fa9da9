signet $T verify --json alice=sg1sijl2moqdrfbnnjy3x7qmk344u@isp.example
