sed 's/"event_log"/"seal_keyring": "seal.json", "event_log"/' signet.json >s.json && cp keyring.json seal.json && signet -c s.json $T config check
