signet help keys
