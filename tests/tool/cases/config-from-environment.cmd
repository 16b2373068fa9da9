SIGNET_CONFIG=nowhere.json signet verify alice@isp.example
