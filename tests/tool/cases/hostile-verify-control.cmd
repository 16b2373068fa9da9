signet $T verify "$(printf 'al\033[2Jice\r\nok: bob@isp.example is a valid\tsigned\\address')"
