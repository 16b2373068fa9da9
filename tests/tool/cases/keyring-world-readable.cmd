chmod 644 keyring.json && signet $T verify alice@isp.example
