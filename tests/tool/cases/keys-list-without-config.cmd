signet $T -c missing.json keys list
