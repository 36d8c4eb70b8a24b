"""Registry push notifications: recorded at once, turned into executions in the background.

- `inbox`: the webhook's side: which events are tag pushes of a manifest,
  stored once per event id in the same transaction as the request.
- `batches`: the dispatcher's side: pushes to one registry that arrive
  within PREHEAT_EVENT_BATCH_SECONDS of each other make one execution per
  matching event-based policy, one task per pushed tag.
- `retention`: old events are pruned by the engine's periodic work.
"""
