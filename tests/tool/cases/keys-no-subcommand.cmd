signet keys
