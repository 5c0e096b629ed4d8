"""The seam to the register comparison (登记数据比对, a separate area): the findings it has for a county.

When a `registers` area is installed and offers `registers.checklist_figures(session, campaign, county)`,
its figures join the spot-check figures of the checklist items they speak to; without it, nothing.
Each figure it returns: {"item": key such as "2.3", "source": "register", "label_zh", "label_en",
"count": n, "total": m} (total may be None).
"""

from __future__ import annotations

import importlib
import importlib.util


def register_figures(session, campaign, county_code: str) -> list[dict]:
    """Return the register comparison's figures for a county, or an empty list when that area is absent."""
    if importlib.util.find_spec("registers") is None:
        return []
    module = importlib.import_module("registers")
    provide = getattr(module, "checklist_figures", None)
    if provide is None:
        return []
    return [dict(f, source="register") for f in provide(session, campaign, county_code) or []]
