signet $T keys export-seal seal.json >/dev/null && printf 'plugin {\n  signet_seal_keyring = %s/seal.json\n}\n' "$PWD" >dc.conf && SIGNET_DOVECOT_CONFIG=dc.conf signet $T config check --seal-only
