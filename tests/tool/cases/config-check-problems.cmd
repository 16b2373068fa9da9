chmod 666 signet.json && signet --now 2027-02-01T00:00:00Z config check
