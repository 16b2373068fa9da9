signet $T verify alice@isp.example
