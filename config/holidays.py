"""The public holidays and make-up working days (法定节假日和调休) the State Council announces each year.

2026: 国务院办公厅关于2026年部分节假日安排的通知 (2025年11月4日,
https://www.gov.cn/zhengce/content/202511/content_7047090.htm), as Xinhua published it:
元旦 1月1日至3日放假，1月4日（周日）上班；春节 2月15日至23日放假，2月14日（周六）、2月28日（周六）上班；
清明节 4月4日至6日；劳动节 5月1日至5日放假，5月9日（周六）上班；端午节 6月19日至21日；
中秋节 9月25日至27日；国庆节 10月1日至7日放假，9月20日（周日）、10月10日（周六）上班。
A year not listed here has no preloaded calendar: the administrator enters it on the settings page.
"""

from datetime import date, timedelta


def _days(first: str, last: str) -> list[str]:
    """List the ISO dates from first to last, both included."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


# year -> {"closed": public holidays (no calls), "open": make-up working days (calls as on a weekday)}
OFFICIAL_CALENDARS: dict[int, dict[str, list[str]]] = {
    2026: {
        "closed": [*_days("2026-01-01", "2026-01-03"), *_days("2026-02-15", "2026-02-23"),
                   *_days("2026-04-04", "2026-04-06"), *_days("2026-05-01", "2026-05-05"),
                   *_days("2026-06-19", "2026-06-21"), *_days("2026-09-25", "2026-09-27"),
                   *_days("2026-10-01", "2026-10-07")],
        "open": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    },
}
