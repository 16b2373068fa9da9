signet verify "$(printf -- '--x\033[0m\ry')" alice@isp.example
