"""Follow-up work: tasks, queues, attempts, dispositions, retry rules, scheduler sweeps and
telephony. `rules.py` is pure (no Flask, no clock read); the rest is the thin shell around it."""
