"""Errors of the sampling core as data: a stable code, its parameters, and a message in Chinese or English.

The pure code raises `SamplingInputError`; the web shell, the API and the CLI show `message(lang)` and
may key their own handling on `code`. The same table also words the verifier's mismatch reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# code -> (Simplified Chinese template, English template); placeholders are str.format fields.
MESSAGES: dict[str, tuple[str, str]] = {
    # sample sizes
    "value_missing": ("未填写{field_zh}（{field}）。", "The {field_en} ({field}) is missing."),
    "not_a_number": (
        "{field_zh}（{field}）必须是数字（按小数填写，如 0.05），收到的是“{value}”。",
        "The {field_en} ({field}) must be a number (a fraction such as 0.05); got {value!r}.",
    ),
    "rate_ambiguous": (
        "{field_zh}填“{value}”有歧义：请写 1%（百分之一）或 100%。",
        "The {field_en} '{value}' is ambiguous: write 1% (one percent) or 100%.",
    ),
    "percent_out_of_range": (
        "{field_zh}必须 {low} 且 {high}（可写 95、95% 或 0.95），“{value}”按 {shown} 理解。",
        "The {field_en} must be {low} and {high} (write 95, 95% or 0.95); '{value}' was read as {shown}.",
    ),
    "margin_out_of_range": (
        "允许误差必须大于 0 且小于 1（按小数填写，如 0.05 表示 5%），当前为 {margin}。",
        "The margin of error must be greater than 0 and less than 1 (as a fraction, 0.05 for 5%); got {margin}.",
    ),
    "confidence_out_of_range": (
        "置信水平必须大于 0 且小于 1（如 0.95），当前为 {confidence}。",
        "The confidence level must be greater than 0 and less than 1 (e.g. 0.95); got {confidence}.",
    ),
    "rate_out_of_range": (
        "预期比例必须在 0 到 1 之间（含 0 和 1），当前为 {rate}。",
        "The anticipated rate must be between 0 and 1 inclusive; got {rate}.",
    ),
    "population_invalid": (
        "总体人数必须是不小于 0 的整数，当前为 {population}。",
        "The population size must be a whole number of at least 0; got {population}.",
    ),
    "sample_size_invalid": (
        "样本量必须是不小于 0 的整数，当前为 {n}。",
        "The sample size must be a whole number of at least 0; got {n}.",
    ),
    "tolerable_out_of_range": (
        "可容忍偏差率必须大于 0 且小于 1，当前为 {tolerable}。",
        "The tolerable deviation rate must be greater than 0 and less than 1; got {tolerable}.",
    ),
    "expected_out_of_range": (
        "预期偏差率必须在 0（含）到 1 之间，当前为 {expected}。",
        "The expected deviation rate must be at least 0 and less than 1; got {expected}.",
    ),
    "expected_not_below_tolerable": (
        "预期偏差率（{expected_pct}）必须低于可容忍偏差率（{tolerable_pct}）："
        "预期偏差已达到可容忍上限时，抽多少样本都无法证明偏差率不超过上限。",
        "The expected deviation rate ({expected_pct}) must be below the tolerable rate ({tolerable_pct}): "
        "when deviations are expected at the tolerable limit, no sample size can show the rate stays under it.",
    ),
    "attribute_size_too_large": (
        "按置信水平 {confidence_pct}、可容忍偏差率 {tolerable_pct}、预期偏差率 {expected_pct} 计算，"
        "所需样本量超过 {limit}。请提高可容忍偏差率或降低预期偏差率。",
        "At {confidence_pct} confidence, {tolerable_pct} tolerable and {expected_pct} expected deviation rate "
        "the sample would exceed {limit} units; raise the tolerable rate or lower the expected rate.",
    ),
    # allocation
    "method_unknown": (
        "未知的分配方法“{method}”，可选：等额（equal）、按比例（proportional）、奈曼（neyman）。",
        "Unknown allocation method '{method}'; choose equal, proportional or neyman.",
    ),
    "total_invalid": (
        "样本总量必须是不小于 0 的整数，当前为 {total}。",
        "The total sample size must be a whole number of at least 0; got {total}.",
    ),
    "minimum_invalid": (
        "每层最低样本量必须是不小于 0 的整数，当前为 {minimum}。",
        "The minimum per stratum must be a whole number of at least 0; got {minimum}.",
    ),
    "stratum_population_invalid": (
        "层“{stratum}”的总体人数必须是不小于 0 的整数，当前为 {population}。",
        "The population of stratum '{stratum}' must be a whole number of at least 0; got {population}.",
    ),
    "stratum_rate_out_of_range": (
        "层“{stratum}”的预期比例必须在 0 到 1 之间，当前为 {rate}。",
        "The anticipated rate of stratum '{stratum}' must be between 0 and 1; got {rate}.",
    ),
    "total_exceeds_population": (
        "样本总量 {total} 超过了抽样框总人数 {population}，无法抽取。",
        "The total sample size {total} exceeds the {population} persons on the frame.",
    ),
    "minimum_exceeds_total": (
        "各层最低样本量合计需要 {required} 人，超过了样本总量 {total}。请增加样本总量或降低每层最低样本量。",
        "The minimums per stratum need {required} units in all, more than the total of {total}; "
        "raise the total or lower the minimum.",
    ),
    "stratum_factor_out_of_range": (
        "层“{stratum}”的加抽倍数必须在 1 到 {high} 之间，当前为 {factor}。",
        "The oversampling factor of stratum '{stratum}' must be between 1 and {high}; got {factor}.",
    ),
    "unknown_stratum": (
        "层“{stratum}”不在本次抽样的分层之中。",
        "Stratum '{stratum}' is not one of the strata of this sample.",
    ),
    "stratum_without_size": (
        "抽样框中有层“{stratum}”的人员，但没有为该层指定样本量（不抽取也请填 0）。",
        "The frame has persons in stratum '{stratum}' but no sample size was given for it (give 0 to draw none).",
    ),
    "rule_result_invalid": (
        "层“{stratum}”按规则算出的样本量无效（{value}），应为不小于 0 的整数。",
        "The size rule gave stratum '{stratum}' an invalid size ({value}); it must be a whole number of at least 0.",
    ),
    "reserve_spec_invalid": (
        "备用样本请填写比例或人数中的一项（比例在 0 到 10 之间，人数不小于 0）。",
        "Give reserves as either a share (0 to 10) or a count (at least 0), not both and not neither.",
    ),
    # the draw
    "frame_length_mismatch": (
        "抽样框的编号有 {keys} 个，分层值却有 {strata} 个，两者必须一一对应。",
        "The frame has {keys} keys but {strata} stratum values; they must pair up one to one.",
    ),
    "key_invalid": (
        "抽样框第 {position} 行的编号为空或含有制表符、换行等控制字符。",
        "Frame row {position} has an empty key or a key with a tab, line break or other control character.",
    ),
    "stratum_name_invalid": (
        "分层名称“{stratum}”为空或含有制表符、换行等控制字符。",
        "Stratum name '{stratum}' is empty or holds a tab, line break or other control character.",
    ),
    "duplicate_key": (
        "抽样框中编号“{key}”重复出现，每个编号只能出现一次。",
        "Key '{key}' appears more than once on the frame; every key must be unique.",
    ),
    "size_invalid": (
        "层“{stratum}”的{role_zh}数量必须是不小于 0 的整数，当前为 {value}。",
        "The {role} count of stratum '{stratum}' must be a whole number of at least 0; got {value}.",
    ),
    "size_exceeds_stratum": (
        "层“{stratum}”只有 {population} 人，容纳不下 {sample} 个样本加 {reserve} 个备用样本。",
        "Stratum '{stratum}' has only {population} persons, too few for {sample} sample units "
        "plus {reserve} reserves.",
    ),
    "seed_empty": (
        "随机种子不能为空。",
        "The random seed must not be empty.",
    ),
    "seed_invalid": (
        "随机种子必须是不小于 0 的整数，当前为 {seed}。",
        "The random seed must be a whole number of at least 0; got {seed}.",
    ),
    # verification findings
    "fingerprint_mismatch": (
        "抽样框指纹不一致：记录为 {recorded}，重新计算为 {derived}。抽样框已被改动。",
        "Frame fingerprint differs: recorded {recorded}, re-derived {derived}; the frame has changed.",
    ),
    "seed_text_mismatch": (
        "随机种子不一致：公开种子“{seed_text}”对应 {derived}，而记录的种子为 {seed}。",
        "Seed differs: the public seed '{seed_text}' gives {derived}, but the recorded seed is {seed}.",
    ),
    "algorithm_mismatch": (
        "抽样算法版本不一致：记录为 {recorded}，本程序为 {current}。",
        "Algorithm version differs: recorded {recorded}, this code is {current}.",
    ),
    "frame_not_drawable": (
        "无法按记录的参数从当前抽样框重新抽样：{reason_zh}",
        "The draw cannot be re-derived from the present frame with the recorded settings: {reason}",
    ),
    "strata_mismatch": (
        "分层不一致：只在记录中出现的层 {recorded_only}，只在重新抽样中出现的层 {derived_only}。",
        "Strata differ: only in the record {recorded_only}, only in the re-derived draw {derived_only}.",
    ),
    "unit_count_mismatch": (
        "层“{stratum}”记录了 {recorded} 个单位，重新抽样得到 {derived} 个。",
        "Stratum '{stratum}' records {recorded} units, the re-derived draw has {derived}.",
    ),
    "unit_mismatch": (
        "层“{stratum}”有 {count} 个位次的单位不一致，第一处在第 {rank} 位：记录为“{recorded}”，重新抽样为“{derived}”。",
        "Stratum '{stratum}' differs at {count} positions, first at position {rank}: "
        "recorded '{recorded}', re-derived '{derived}'.",
    ),
    "role_mismatch": (
        "层“{stratum}”有 {count} 个单位的样本/备用身份与名次不符（前 {n} 名应为样本，其后为备用样本），"
        "第一处在第 {rank} 位，记录为“{role}”。",
        "Stratum '{stratum}' has {count} units whose sample/reserve role does not match their rank (the first "
        "{n} are the sample, the rest reserves), first at position {rank}, recorded as '{role}'.",
    ),
    "finding_list_mismatch": (
        "抽样时记录的比对发现名单与抽样框定义中的摘要不符（记录 {recorded} 人，摘要 {digest}，现算得 {derived}）："
        "“有/无比对发现”的分层无法按原样重建。",
        "The register findings stored with the draw do not match the digest in its frame definition ({recorded} "
        "persons, digest {digest}, computed {derived}): the with/without-finding strata cannot be rebuilt as drawn.",
    ),
    "draw_differs": (
        "抽样框与记录一致，但重新抽出的单位不同：所用随机种子或各层样本量、备用样本数与记录不符。",
        "The frame matches the record but the re-derived units differ: the seed or the sample and reserve "
        "sizes are not the recorded ones.",
    ),
}

LANGUAGES = ("zh", "en")

# How the messages name the size parameters ({field_zh}, {field_en}).
FIELD_WORDS: dict[str | None, tuple[str, str]] = {
    "margin": ("允许误差", "margin of error"),
    "confidence": ("置信水平", "confidence level"),
    "rate": ("预期比例", "anticipated rate"),
    "tolerable": ("可容忍偏差率", "tolerable deviation rate"),
    "expected": ("预期偏差率", "expected deviation rate"),
}


def percent(value: float) -> str:
    """Format a fraction as a percentage without trailing zeros (0.0125 -> "1.25%")."""
    text = f"{float(value) * 100:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def format_message(code: str, params: Mapping[str, Any], lang: str = "zh") -> str:
    """Format the message for a code in Chinese ("zh") or English ("en")."""
    templates = MESSAGES.get(code)
    if templates is None:
        return code
    template = templates[1] if lang.lower().startswith("en") else templates[0]
    words = FIELD_WORDS.get(params.get("field"), (params.get("field"), params.get("field")))
    params = {"field_zh": words[0], "field_en": words[1], **params}
    try:
        return template.format(**params)
    except (KeyError, ValueError, TypeError):
        # A missing or mistyped parameter must never hide the error itself.
        return f"{template} {dict(params)}"


class SamplingInputError(ValueError):
    """Refuse sampling input that cannot be used, with a stable code and its parameters."""

    def __init__(self, code: str, **params: Any) -> None:
        """Build the error from a MESSAGES code and the values the message names; str() is the Chinese."""
        self.code = code
        self.params = params
        self.message_zh = format_message(code, params, "zh")
        self.message_en = format_message(code, params, "en")
        super().__init__(self.message_zh)

    def message(self, lang: str = "zh") -> str:
        """Return the user-facing message in Chinese ("zh", default) or English ("en")."""
        return self.message_en if lang.lower().startswith("en") else self.message_zh


@dataclass(frozen=True)
class Finding:
    """One problem found (by the draw verifier, say), as a message code and its parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        """Return the finding in Chinese ("zh", default) or English ("en")."""
        return format_message(self.code, self.params, lang)
