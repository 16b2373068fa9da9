sed 's/"event_log"/"seal_keyring": "seal.json", "event_log"/' signet.json >s.json && signet $T keys export-seal seal.json >/dev/null && signet -c s.json $T config check
