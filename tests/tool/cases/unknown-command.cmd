signet frobnicate
