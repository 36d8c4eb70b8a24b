"""The guarded HTTP client, on its own: what registry calls need from it."""
