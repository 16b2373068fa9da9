signet $T verify a@isp.example b@isp.example
