"""Local stand-ins for P2P providers, built from their wire contracts."""
