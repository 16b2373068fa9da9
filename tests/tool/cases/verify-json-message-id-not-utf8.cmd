signet $T --json verify --message-id "$(printf '<\300\257@x>')" alice@isp.example
