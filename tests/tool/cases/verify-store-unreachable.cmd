sed 's/"type": "none"/"type": "redis", "host": "127.0.0.1", "port": 1, "timeout_ms": 50/' signet.json >r.json && signet -c r.json $T verify alice=sg1sijl2moqdrfannjy3x7qmk344u@isp.example
