printf '{"domains": ["isp.example"],\n "lifetime": 45}\n' >bad.json && signet -c bad.json config check
