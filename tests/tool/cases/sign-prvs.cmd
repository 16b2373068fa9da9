signet $T sign alice@isp.example --format prvs
