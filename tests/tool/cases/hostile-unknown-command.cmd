signet "$(printf 'frob\033[31m\r\nnicate')"
