signet $T keys export-seal seal.json >/dev/null && sed 's/"keyring.json"/"seal.json"/' signet.json >d.json && signet -c d.json $T config check --seal-only
