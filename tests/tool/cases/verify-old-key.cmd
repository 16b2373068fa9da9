signet --now 2026-11-10T00:00:00Z verify alice=sg0qiee3zfysgajhigiithhbxztyy@isp.example
