signet $T keys list
