signet $T config check
