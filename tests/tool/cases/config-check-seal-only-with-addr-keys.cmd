cp keyring.json k.json && sed 's/"keyring.json"/"k.json"/' signet.json >d.json && signet -c d.json $T config check --seal-only
