rm keyring.json && signet $T sign alice@isp.example
