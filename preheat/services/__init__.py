"""The service layer: the rules and the network calls, under both the pages and the API."""
