"""The users every test app starts with."""
ADMIN = ("admin", "admin-password")
USER = ("alice", "alice-password")
