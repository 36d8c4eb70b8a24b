"""The standalone shell around Preheat: its users, login, security headers and database setup.

None of this is part of the embeddable `preheat` package; a host portal brings
its own equivalents.
"""
