signet $T sign averyveryverylongname.with.parts.xx@isp.example
