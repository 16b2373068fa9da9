signet $T --json sign Alice+news@isp2.example --message-id '<m1@isp.example>'
