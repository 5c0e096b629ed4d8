"""Pause Python's cyclic garbage collector around bulk work that builds millions of small objects."""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Run a block with the cyclic garbage collector off, then put it back as it was.

    Reading a million-row frame makes millions of tuples and strings, none of them in a reference
    cycle. With the collector on, every full pass walks all of them again, which more than doubled
    the time of a draw. Reference counting still frees everything as usual; only cycles wait for the
    next pass. The switch is process-wide: another thread working meanwhile also runs without passes
    for those seconds, which costs it nothing but a little memory held longer.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
