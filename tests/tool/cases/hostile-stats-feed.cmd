sed 's|"event_log": ""|"event_log": "events.log"|' signet.json >e.json &&
printf '%s\n' \
 '{"ts":"2026-11-22T07:00:00Z","event":"rejected","verdict":"forged","rcpt":"x\u001b[2J\r\n@isp.example"}' \
 '{"ts":"2026-11-22T07:01:00Z","event":"rejected","verdict":"forg\u001b]0;t\u0007ed","rcpt":"y@isp.example"}' \
 '{"ts":"2026-11-22T07:02:00Z","rcpt":"no-event@isp.example"}' >events.log &&
signet -c e.json $T stats --days 1
