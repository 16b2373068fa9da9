signet $T keys init
