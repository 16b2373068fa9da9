signet $T sign alice@isp.example --message-id '<m1@isp.example>'
