signet $T sign "$(printf 'alice\033]0;owned\007\r\n@isp.example')"
