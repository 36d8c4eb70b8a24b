"""Executions: running a policy, one task per matching image tag, on the engine.

- `runs`: an execution's life: created at once, stopped, retried, ended,
  its counts, and the retention of old ones.
- `planning`: the `execution.plan` job: checks that the run can start,
  lists the project's repositories and tags, applies the filters and
  creates the tasks.
- `work`: the `task.submit` and `task.poll` jobs: one task's submission to
  the provider's driver, then following its job to its end.
- `dispatcher`: each process's loop that claims due work from the database
  (the engine's leases) and hands it to the engine.
- `pacing`: the submission pace of each provider instance, kept on its row
  so that all processes together stay within PREHEAT_SUBMIT_RATE.

Every state change is in the database, so a process that restarts picks up
where it stopped, and several processes never do the same task.
"""
