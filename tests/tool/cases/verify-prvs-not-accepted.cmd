grep -v verify_formats signet.json >closed.json && signet $T -c closed.json verify prvs=1786dad2cd=alice@isp.example
