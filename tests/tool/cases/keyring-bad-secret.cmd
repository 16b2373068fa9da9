sed 's/1e1f"/1e"/' keyring.json >k2.json && chmod 600 k2.json && signet $T keys list --keyring k2.json
