signet --now 2027-02-01T00:00:00Z sign alice@isp.example
