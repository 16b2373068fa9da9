signet $T -c none.json keys init --keyring new.json --seal-keyring seal.json >/dev/null && stat -c "%n %a" new.json seal.json && signet $T keys list --keyring seal.json
