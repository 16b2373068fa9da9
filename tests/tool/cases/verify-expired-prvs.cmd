signet --now 2026-12-08T00:00:00Z verify prvs=1786dad2cd=alice@isp.example
