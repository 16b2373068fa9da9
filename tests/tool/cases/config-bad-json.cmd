printf '{\n  "domains": ["isp.example"]\n  "format": "prvs"\n}\n' >bad.json && signet -c bad.json $T verify alice@isp.example
