"""The plumbing every area shares: request input checks and response headers (more to move here).

Nothing here knows about rosters, samples or follow-up; the areas build on it.
"""
