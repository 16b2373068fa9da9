signet --now "$(printf '2026\r\n\033[1m')" verify alice@isp.example
