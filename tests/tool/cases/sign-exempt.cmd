signet $T sign postmaster@isp.example
