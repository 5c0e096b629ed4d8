"""Small sampling frames the draw and verifier tests share."""


def small_frame():
    """Return 20 persons in two counties: P001..P020, every third one in 440803."""
    keys = [f"P{i:03d}" for i in range(1, 21)]
    strata = ["440802" if i % 3 else "440803" for i in range(1, 21)]
    return keys, strata
