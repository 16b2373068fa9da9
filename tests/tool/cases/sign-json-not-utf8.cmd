signet $T --json sign "$(printf 'al\355\240\200ice@isp.example')"
