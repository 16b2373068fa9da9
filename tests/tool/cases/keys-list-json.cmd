signet $T keys list --json
