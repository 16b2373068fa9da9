signet $T verify prvs=1786dad2cd=alice@isp.example
