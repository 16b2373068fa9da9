signet $T verify
