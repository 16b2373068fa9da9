signet $T keys rotate --purpose dkim
