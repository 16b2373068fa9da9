signet --now 2026-12-25T00:00:00Z verify alice=sg0qiee3zfysgajhigiithhbxztyy@isp.example
