"""Zhanjiang's county-level units, the strata of every sample.

Codes are GB/T 2260 administrative division codes. The economic-technological development zone has
no code of its own in GB/T 2260; we give it the local code 440871, following the statistics bureau's
practice of 7x codes for functional zones. It is not an official division code.
"""

from typing import NamedTuple


class CountyDef(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    official: bool  # False: a local code with no GB/T 2260 entry


ZHANJIANG_COUNTIES: tuple[CountyDef, ...] = (
    CountyDef("440802", "赤坎区", "Chikan District", True),
    CountyDef("440803", "霞山区", "Xiashan District", True),
    CountyDef("440804", "坡头区", "Potou District", True),
    CountyDef("440811", "麻章区", "Mazhang District", True),
    CountyDef("440823", "遂溪县", "Suixi County", True),
    CountyDef("440825", "徐闻县", "Xuwen County", True),
    CountyDef("440881", "廉江市", "Lianjiang City", True),
    CountyDef("440882", "雷州市", "Leizhou City", True),
    CountyDef("440883", "吴川市", "Wuchuan City", True),
    CountyDef("440871", "湛江经济技术开发区", "Zhanjiang Economic and Technological Development Zone", False),
)

COUNTY_BY_CODE = {c.code: c for c in ZHANJIANG_COUNTIES}
