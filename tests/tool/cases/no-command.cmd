signet
