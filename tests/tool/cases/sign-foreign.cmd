signet $T sign bob@other.example
