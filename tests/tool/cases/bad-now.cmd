signet --now yesterday verify alice@isp.example
