"""Jobs for the tests of core/background.py: each notes where and how it ran."""

import os
import threading

from flask import current_app, g

RAN: list[dict] = []


def note(label: str) -> None:
    """Note the job's label, app, process and thread, and whether its app context was fresh."""
    RAN.append({"label": label, "app": current_app.name, "pid": os.getpid(), "thread": threading.get_ident(),
                "fresh": not hasattr(g, "job_was_here")})
    g.job_was_here = True


def fail(label: str) -> None:
    raise RuntimeError(label)
