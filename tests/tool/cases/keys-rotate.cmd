signet --now 2026-12-01T00:00:00Z keys rotate --purpose addr && signet --now 2027-01-01T00:00:00Z keys rotate && stat -c "%a" keyring.json
