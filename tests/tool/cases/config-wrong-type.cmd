printf '{"domains": ["isp.example"],\n "store": {\n   "type": "lmdb",\n   "timeout_ms": "5"}}\n' >bad.json && signet -c bad.json config check
