signet $T verify "$(printf 'bob\342\200\256gpj.exe\302\233=sg1sijl2moqdrfbnnjy3x7qmk344u@isp.example')"
