signet --now 2026-12-01T00:00:00Z keys rotate --purpose addr --start-in 48 && signet --now 2026-12-01T00:00:00Z keys rotate --start-in 721
