signet $T verify 'alice at isp.example'
