"""The per-county feedback (核查情况反馈意见): the county's conclusions by area, the spot-check results
with intervals, the register findings, the meetings, the problems and the rectification required."""

from __future__ import annotations

from datetime import date

from checklists.figures import describe
from checklists.sheet import by_area
from config.checklist import item_number
from documents import charts, layout
from documents.compose import base_context, compose
from documents.content import (
    TYPE_ROWS,
    chinese_date,
    county_content,
    interval,
    percent,
    rectification_summary,
    zh,
)

NUMERALS = "一二三四五六七八九十"


def build(session, campaign, county_code: str, today: date, issuer: str) -> bytes:
    """Return the county's feedback as DOCX bytes."""
    content = county_content(session, campaign, county_code, today)
    context = base_context(campaign, issuer, today) | {"county_name": content["name"]}
    return compose(session, "feedback", context, lambda doc: write_body(doc, content))


def write_body(doc, c: dict) -> None:
    """Write the feedback's sections."""
    headings = iter(NUMERALS)
    layout.add_heading1(doc, f"{next(headings)}、核查基本情况")
    counts = c["conclusions"]
    checked = sum(counts.values())
    layout.add_text(doc, f"本次核查共{len(c['rows'])}项核查内容，已形成结论{checked}项，其中符合{counts['compliant']}项、"
                         f"基本符合{counts['largely_compliant']}项、不符合{counts['noncompliant']}项、"
                         f"不适用{counts['not_applicable']}项。")
    if c["meetings"]:
        held = "；".join(f"{chinese_date(m.held_on)}在{m.place}{zh('meeting_kind', m.kind)}" for m in c["meetings"])
        layout.add_text(doc, f"核查期间共召开座谈会、听取汇报和意见{len(c['meetings'])}次：{held}。")
    layout.add_heading1(doc, f"{next(headings)}、各项核查结论")
    for number, (area, rows) in enumerate(by_area(c["rows"])):
        layout.add_heading2(doc, zh("check_area", area) if number < len(NUMERALS) else area)
        table_rows = [[item_number(r.item.key).removeprefix("四"), r.item.text, zh("conclusion", r.conclusion) if r.conclusion else "未核查",
                       (r.entry.findings if r.entry else "") or "—"] for r in rows]
        layout.add_table(doc, ["序号", "核查内容", "结论", "主要情况"], table_rows, [18, 74, 18, 46])
    _spot_check(doc, c, next(headings))
    layout.add_heading1(doc, f"{next(headings)}、登记数据比对情况")
    if c["register"]:
        for figure in c["register"]:
            layout.add_text(doc, describe(figure, True) + "。")
    else:
        layout.add_text(doc, "本次反馈未包含登记数据比对结果。")
    _problems(doc, c, next(headings))
    _rectification(doc, c, next(headings))


def _spot_check(doc, c: dict, numeral: str) -> None:
    layout.add_heading1(doc, f"{numeral}、随机抽查结果")
    block = c["block"]
    if block is None:
        layout.add_text(doc, "本县（市、区）尚无随机抽查样本。")
        return
    layout.add_text(doc, f"随机抽取登记失业人员{block['units']}人，已核实{block['resolved']}人，"
                         f"尚未办结{block['open']}人。各类差错率及其95%置信区间如下表：")
    rows, chart_rows = [], []
    for code, name in TYPE_ROWS:
        rate = block["rates"].get(code) or {}
        rows.append([name, str(rate.get("d", "—")), str(rate.get("m", "—")), percent(rate.get("p")), interval(rate)])
        chart_rows.append({"label": name, "code": code, "p": rate.get("p"), "low": rate.get("low"),
                           "high": rate.get("high")})
    layout.add_table(doc, ["差错类型", "差错人数", "已核实人数", "差错率", "95%置信区间"], rows, [46, 24, 28, 24, 34])
    if block.get("estimate"):
        layout.add_text(doc, f"已核实人数不足{block['estimate']['min_resolved']}人，暂不估计差错率，仅列人数。")
    elif any(r["p"] is not None for r in chart_rows):
        for png in charts.rate_charts(chart_rows, f"{c['name']}随机抽查差错率（95%置信区间）"):
            layout.add_picture(doc, png, 140)


def _problems(doc, c: dict, numeral: str) -> None:
    layout.add_heading1(doc, f"{numeral}、存在的主要问题")
    problems = [f"{item_number(r.item.key)}：{r.entry.findings}" for r in c["findings"] if r.entry]
    problems += [f"座谈反映：{p}" for p in c["meeting_problems"]]
    if not problems:
        layout.add_text(doc, "本次核查未发现需要整改的问题。")
    for number, text in enumerate(problems, start=1):
        layout.add_text(doc, f"{number}. {text}")


def _rectification(doc, c: dict, numeral: str) -> None:
    layout.add_heading1(doc, f"{numeral}、整改要求")
    listed, by_type = rectification_summary(c["rectification"])
    if not listed and not by_type:
        layout.add_text(doc, "暂无需要整改的事项。")
        return
    rows = [[str(n), item.summary or "", item.responsible_unit or "—", chinese_date(item.due_on), _status(item.status)]
            for n, item in enumerate(listed, start=1)]
    rows += [[str(len(rows) + n), f"随机抽查发现{zh('discrepancy', kind)}问题{count}人", "—", chinese_date(due),
              "整改中"] for n, (kind, (count, due)) in enumerate(sorted(by_type.items()), start=1)]
    layout.add_table(doc, ["序号", "整改事项", "责任单位", "整改时限", "状态"], rows, [14, 66, 30, 28, 18])


def _status(status: str) -> str:
    return {"open": "整改中", "rectified": "已整改待验收", "accepted": "已验收"}.get(status, status)
