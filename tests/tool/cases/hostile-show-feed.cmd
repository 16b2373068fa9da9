sed 's|"event_log": ""|"event_log": "events.log"|' signet.json >e.json &&
printf '%s\n' \
 '{"ts":"2026-11-22T07:00:00Z","event":"rejected","verdict":"forged\r\nrevoked:     no","rcpt":"alice@isp.example","client":"\u001b[2J"}' >events.log &&
signet -c e.json $T show alice@isp.example
