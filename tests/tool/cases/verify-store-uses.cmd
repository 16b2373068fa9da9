sed 's/"type": "none"/"type": "lmdb", "path": "state.mdb", "map_size_mb": 16/' signet.json >l.json && signet -c l.json $T verify alice=sg1sijl2moqdrfannjy3x7qmk344u@isp.example
