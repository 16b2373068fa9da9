signet $T --json config check
