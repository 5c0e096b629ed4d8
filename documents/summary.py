"""The city-wide report (专项核查情况通报): method and scope, a table of every county's results with a
chart of the rates and their intervals, the common problems, good practice and the rectification required."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from config.checklist import METHODS, item_number
from documents import charts, layout
from documents.compose import base_context, compose
from documents.content import chinese_date, every_county_content, interval, percent, rectification_summary
from reports.counts import ANY


def build(session, campaign, today: date, issuer: str) -> bytes:
    """Return the city-wide report as DOCX bytes."""
    counties = every_county_content(session, campaign, today)
    return compose(session, "summary", base_context(campaign, issuer, today),
                   lambda doc: write_body(doc, campaign, counties))


def write_body(doc, campaign, counties: list[dict]) -> None:
    """Write the report's sections."""
    layout.add_heading1(doc, "一、核查方式和范围")
    methods = "、".join(zh for _code, zh, _en in METHODS)
    units = sum(c["block"]["units"] for c in counties if c["block"])
    resolved = sum(c["block"]["resolved"] for c in counties if c["block"])
    layout.add_text(doc, f"本次核查覆盖全市{len(counties)}个县（市、区），采取{methods}等方式进行。随机抽查按县（市、区）"
                         f"分层随机抽取登记失业人员{units}人，已核实{resolved}人，差错率按县（市、区）估计并给出95%"
                         f"置信区间。")
    layout.add_heading1(doc, "二、各县（市、区）核查结果")
    rows, chart_rows = [], []
    for c in counties:
        k = c["conclusions"]
        rate = (c["block"]["rates"].get(ANY) if c["block"] else None) or {}
        open_items = sum(1 for item in c["rectification"] if item.status == "open")
        rows.append([c["name"], f"{k['compliant']}/{k['largely_compliant']}/{k['noncompliant']}",
                     str(c["block"]["units"]) if c["block"] else "—", str(rate.get("m", "—")),
                     percent(rate.get("p")), interval(rate), str(open_items)])
        chart_rows.append({"label": c["name"], "code": c["code"], "p": rate.get("p"), "low": rate.get("low"),
                           "high": rate.get("high")})
    layout.add_table(doc, ["县（市、区）", "符合/基本符合/不符合", "抽样人数", "已核实", "差错率", "95%置信区间", "待整改"],
                     rows, [26, 30, 18, 18, 18, 30, 16])
    if any(r["p"] is not None for r in chart_rows):
        for png in charts.rate_charts(chart_rows, "各县（市、区）随机抽查差错率（95%置信区间）"):
            layout.add_picture(doc, png, 150)
    _common_problems(doc, counties)
    _good_practice(doc, counties)
    _rectification(doc, counties)


def _common_problems(doc, counties: list[dict]) -> None:
    layout.add_heading1(doc, "三、存在的共性问题")
    by_item: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c in counties:
        for row in c["findings"]:
            by_item[row.item.key].append((c["name"], row.entry.findings if row.entry else ""))
    common = sorted(((key, found) for key, found in by_item.items() if len(found) >= 2),
                    key=lambda pair: (-len(pair[1]), pair[0]))
    if not common:
        layout.add_text(doc, "各县（市、区）发现的问题见各自的核查情况反馈意见，本次未发现两个以上县（市、区）共有的问题。")
    for number, (key, found) in enumerate(common, start=1):
        names = "、".join(name for name, _text in found)
        layout.add_text(doc, f"{number}. {item_number(key)}：{len(found)}个县（市、区）（{names}）基本符合或不符合。"
                             + "；".join(text for _name, text in found if text)[:300])


def _good_practice(doc, counties: list[dict]) -> None:
    layout.add_heading1(doc, "四、好的经验做法")
    practice = [(c["name"], row) for c in counties for row in c["rows"]
                if row.conclusion == "compliant" and row.entry and row.entry.findings]
    if not practice:
        layout.add_text(doc, "各地好的经验做法待核查组进一步总结。")
    for number, (name, row) in enumerate(practice, start=1):
        layout.add_text(doc, f"{number}. {name}（{item_number(row.item.key)}）：{row.entry.findings}")


def _rectification(doc, counties: list[dict]) -> None:
    layout.add_heading1(doc, "五、整改要求")
    layout.add_text(doc, "对核查发现的问题，各县（市、区）要坚持边查边改、立行立改，压实整改责任，逐项整改落实，"
                         "建立长效管理机制。各地整改事项如下：")
    rows = []
    for c in counties:
        listed, by_type = rectification_summary(c["rectification"])
        count = len(listed) + sum(n for n, _due in by_type.values())
        if not count:
            continue
        dues = [item.due_on for item in c["rectification"] if item.status == "open"]
        rows.append([c["name"], str(len(listed)), str(count - len(listed)), chinese_date(min(dues)) if dues else "—"])
    if rows:
        layout.add_table(doc, ["县（市、区）", "核查清单问题", "随机抽查问题", "最早整改时限"], rows, [40, 36, 36, 44])
    else:
        layout.add_text(doc, "暂无需要整改的事项。")
