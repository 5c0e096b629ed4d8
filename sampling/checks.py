"""The input checks of the estimates, and their refusals in Chinese and English (shaped like sampling/errors.py)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sampling.errors import SamplingInputError

# code -> (Chinese, English) templates, shaped like MESSAGES in sampling/errors.py.
ESTIMATE_MESSAGES: dict[str, tuple[str, str]] = {
    "count_invalid": (
        "{where_zh}{field_zh}必须是不小于 0 的整数，当前为 {value}。",
        "{where_en}{field_en} must be a whole number of at least 0; got {value}.",
    ),
    "discrepant_exceeds_resolved": (
        "{where_zh}有问题人数 d={d} 大于已核实人数 m={m}。",
        "{where_en}the discrepant count d={d} exceeds the resolved count m={m}.",
    ),
    "sample_exceeds_population": (
        "{where_zh}已核实与未结样本合计 {sample} 人，超过了总体人数 N={population}。",
        "{where_en}resolved plus open units ({sample}) exceed the population N={population}.",
    ),
    "stratum_population_zero": (
        "{where_zh}总体人数 N 为 0，该层没有可估计的对象，请从输入中删去。",
        "{where_en}the population N is 0; leave this stratum out of the input.",
    ),
    "strata_length_mismatch": (
        "各列的层数不一致：N 有 {N} 个、m 有 {m} 个、d 有 {d} 个、未结数有 {open} 个，必须一一对应。",
        "The columns differ in length: {N} values of N, {m} of m, {d} of d and {open} of open; "
        "they must pair up one to one.",
    ),
    "no_strata": ("没有给出任何层。", "No strata were given."),
    "confidence_out_of_range": (
        "置信水平必须大于 0 且小于 1（如 0.95），当前为 {confidence}。",
        "The confidence level must be greater than 0 and less than 1 (e.g. 0.95); got {confidence}.",
    ),
    "audit_confidence_too_low": (
        "审计结论的置信水平不能低于 0.5（如 0.95），当前为 {confidence}。",
        "An audit confidence must be at least 0.5 (e.g. 0.95); got {confidence}.",
    ),
    "tolerable_out_of_range": (
        "可容忍差错率必须大于 0 且小于 1（如 0.05 表示 5%），当前为 {tolerable}。",
        "The tolerable discrepancy rate must be greater than 0 and less than 1 (0.05 for 5%); got {tolerable}.",
    ),
    "interval_method_unknown": (
        "未知的区间方法“{method}”，可选：{choices}。",
        "Unknown interval method '{method}'; choose {choices}.",
    ),
    "outcome_unknown": (
        "未知的回访结果类别“{outcome}”，可选：{choices}。",
        "Unknown outcome category '{outcome}'; choose {choices}.",
    ),
}

# Names of the counts as the messages show them.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "d": ("有问题人数（d）", "the discrepant count d"),
    "m": ("已核实人数（m）", "the resolved count m"),
    "N": ("总体人数（N）", "the population N"),
    "open": ("未结样本数", "the open-unit count"),
    "population": ("总体人数", "the population"),
}


class EstimateInputError(SamplingInputError):
    """Refuse counts or options that no estimate can be computed from, in Chinese and English."""

    def __init__(self, code: str, *, stratum: int | None = None, **params: object) -> None:
        """Build the error from an ESTIMATE_MESSAGES code and the values its message names."""
        where = {"where_zh": "", "where_en": ""}
        if stratum is not None:
            where = {"where_zh": f"第 {stratum + 1} 层：", "where_en": f"Stratum {stratum + 1}: "}
        zh, en = ESTIMATE_MESSAGES[code]
        self.message_zh = zh.format(**where, **params)
        english = en.format(**where, **params)
        self.message_en = english[:1].upper() + english[1:]
        ValueError.__init__(self, self.message_zh)
        self.code = code
        self.params = params
        self.stratum = stratum  # 0-based position of the offending stratum, when there is one

    def message(self, lang: str = "zh") -> str:
        """Return the message in Chinese ("zh", default) or English ("en")."""
        return self.message_en if lang.lower().startswith("en") else self.message_zh


def check_count(value: Any, field: str | tuple[str, str], stratum: int | None = None) -> int:
    """Return value as a non-negative int, or raise naming the field (a FIELD_NAMES key or a pair)."""
    field_zh, field_en = FIELD_NAMES[field] if isinstance(field, str) else field
    # bool is an int subclass, but True as a count is always a caller's mistake.
    usable = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )
    if not usable or not math.isfinite(value) or value != int(value) or value < 0:
        raise EstimateInputError(
            "count_invalid", stratum=stratum, field_zh=field_zh, field_en=field_en, value=repr(value)
        )
    return int(value)


def check_rate_counts(d: Any, m: Any, stratum: int | None = None) -> tuple[int, int]:
    """Validate d discrepant among m resolved units and return them as ints."""
    d, m = check_count(d, "d", stratum), check_count(m, "m", stratum)
    if d > m:
        raise EstimateInputError("discrepant_exceeds_resolved", stratum=stratum, d=d, m=m)
    return d, m


def check_confidence(confidence: Any) -> float:
    """Return the confidence level as a float strictly between 0 and 1, or raise."""
    usable = isinstance(confidence, int | float | np.floating) and not isinstance(confidence, bool)
    if not usable or not 0.0 < float(confidence) < 1.0:
        raise EstimateInputError("confidence_out_of_range", confidence=repr(confidence))
    return float(confidence)
