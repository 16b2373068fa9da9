signet $T --json verify "$(printf 'al\377ice@isp.example')"
