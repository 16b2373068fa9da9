signet $T keys export-seal seal.json && stat -c "%a" seal.json && signet $T keys list --keyring seal.json && ! grep -q 000102030405 seal.json && echo "no address secret in seal.json"
