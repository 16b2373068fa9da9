signet --now 2027-01-25T00:00:00Z config check
