signet $T verify prvs=1786dad2ce=alice@isp.example
