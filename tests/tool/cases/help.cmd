signet help
