"""Live health: every enabled provider instance checked by its driver, results stored.

- `checks`: one check (the driver's, never raising; Test connection for a user).
- `claims`: who checks an instance (the engine's lease), and storing results.
- `background`: the checks of stale or refreshed rows, as jobs on the engine.

A "probe" is one request a driver sends to a provider to judge its health.
"""
