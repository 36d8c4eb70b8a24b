"""Live health: every enabled provider instance and every registry checked, results stored.

- `checks`: one check (a provider's driver or the registry client, never
  raising; Test connection for a user).
- `claims`: who checks a row (the engine's lease), and storing results.
- `subjects`: what is checked: instances, registries, and how each is checked.
- `background`: the checks of stale or refreshed rows, as jobs on the engine.

A "probe" is one request a driver sends to a provider to judge its health.
"""
