signet verify --help
