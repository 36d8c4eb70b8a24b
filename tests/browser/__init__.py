"""Browser tests: Preheat's pages driven in Chromium."""
