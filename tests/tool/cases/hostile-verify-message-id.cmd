signet $T verify --message-id "$(printf '<x@y>\r\n  message:  matches\033[K')" carol=sg1fg4x65noc56hv2nnjrsx7ata54@isp.example
