signet -c nowhere.json verify alice@isp.example
