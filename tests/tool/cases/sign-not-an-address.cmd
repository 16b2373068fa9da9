signet $T sign '<alice@isp.example>'
