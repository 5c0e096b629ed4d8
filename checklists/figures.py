"""The figures the spot check (and the register comparison) give a checklist item: rates with their 95 %
intervals and counts, read live until the county's entry is signed off, then as they were then."""

from __future__ import annotations

from checklists.register_seam import register_figures
from config.checklist import ITEM_FIGURES
from config.verification import DISCREPANCY_TYPES, SERVICES
from reports.figures import Options, county_figures

ANY_LABEL = ("任一差错", "Any discrepancy")


def _names(kind: str, code: str) -> tuple[str, str]:
    table = DISCREPANCY_TYPES if kind == "rate" else SERVICES
    if code == "any":
        return ANY_LABEL
    zh, en = next((zh, en) for c, zh, en in table if c == code)
    return (zh + "率", en + " rate") if kind == "rate" else (zh + "覆盖率", en + " coverage")


def spot_check_figures(block: dict | None, key: str) -> list[dict]:
    """Return the figures of one county's block (reports.figures) that speak to checklist item `key`."""
    if block is None:
        return []
    result = []
    for kind, code in ITEM_FIGURES.get(key, ()):
        zh, en = _names(kind, code)
        if kind == "rate":
            rate = block["rates"].get(code) or {}
            result.append({"item": key, "source": "spot_check", "kind": kind, "code": code, "label_zh": zh,
                           "label_en": en, "count": rate.get("d"), "total": rate.get("m"), "p": rate.get("p"),
                           "low": rate.get("low"), "high": rate.get("high"), "open": rate.get("open")})
        else:
            service = block["services"].get(code) or {}
            result.append({"item": key, "source": "spot_check", "kind": kind, "code": code, "label_zh": zh,
                           "label_en": en, "count": service.get("count"), "total": service.get("answered"),
                           "p": service.get("p"), "low": service.get("low"), "high": service.get("high"),
                           "open": None})
    return result


def county_item_figures(session, campaign, county_code: str, today=None) -> dict[str, list[dict]]:
    """Return, per item key, the live figures of one county: the spot check's, then the register's."""
    block = county_figures(session, campaign, county_code, Options(today=today))["county"]
    return item_figures(block, register_figures(session, campaign, county_code))


def item_figures(block: dict | None, register: list[dict]) -> dict[str, list[dict]]:
    """Return, per item key, the figures of a county's spot-check block and then of its register figures."""
    keys = set(ITEM_FIGURES) | {f["item"] for f in register}
    result = {key: spot_check_figures(block, key) for key in keys}
    for figure in register:
        result[figure["item"]].append(figure)
    return {key: figures for key, figures in result.items() if figures}


def describe(figure: dict, chinese: bool = True) -> str:
    """Say a figure in one line, e.g. "应注销未注销率 3.2%（95%置信区间 1.1%–7.5%；8/250，未结 3）"."""
    name = figure["label_zh"] if chinese else figure["label_en"]
    count, total = figure.get("count"), figure.get("total")
    counts = f"{count}/{total}" if total is not None else f"{count}"
    if figure.get("p") is None:
        return f"{name}：{counts}" if chinese else f"{name}: {counts}"
    rate = f"{figure['p'] * 100:.1f}%"
    if figure.get("low") is not None:
        interval = f"{figure['low'] * 100:.1f}%–{figure['high'] * 100:.1f}%"
        text = (f"{name} {rate}（95%置信区间 {interval}；{counts}" if chinese
                else f"{name} {rate} (95% interval {interval}; {counts}")
    else:
        text = f"{name} {rate}（{counts}" if chinese else f"{name} {rate} ({counts}"
    if figure.get("open"):
        text += f"，未结 {figure['open']}" if chinese else f", {figure['open']} open"
    return text + ("）" if chinese else ")")
