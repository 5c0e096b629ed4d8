"""Cross-register checks (数据比对): the kinds of reference register and the kinds of finding, as code lists."""

# The reference registers a coordinator imports, one kind per file (registers/columns.py: their fields).
REGISTER_KINDS = (
    ("social_insurance", "社保参保缴费", "Social insurance contributions"),
    ("business", "市场主体登记", "Market entities"),
    ("death", "死亡人员", "Deaths"),
    ("pension", "养老金领取", "Pension payments"),
    ("generic", "其他名单", "Other list"),
)
KIND_CODES = tuple(code for code, _, _ in REGISTER_KINDS)

# What a match can establish about a registered person (registers/rules.py decides, docs/registers.md explains).
FINDING_TYPES = (
    ("employed_not_deregistered", "参保就业未注销", "Employed (contributing), not de-registered"),
    ("employed_at_registration", "登记时已参保就业", "Employed when registered"),
    ("runs_business", "经营市场主体", "Runs a business"),
    ("deceased_not_deregistered", "死亡未注销", "Deceased, not de-registered"),
    ("registered_while_deceased", "死亡后仍登记", "Registered although deceased"),
    ("retired_not_deregistered", "领取养老金未注销", "Receiving a pension, not de-registered"),
    ("registered_while_retired", "领取养老金后仍登记", "Registered although receiving a pension"),
    ("other_register", "其他名单比中", "Listed in another register"),
)
FINDING_CODES = tuple(code for code, _, _ in FINDING_TYPES)

# A draw stratified by register finding crosses each county with these two values (campaigns/design.py):
# the persons with an active finding of any type at draw time, and the others.
FINDING_STRATA = (
    ("finding", "有比对发现", "With a register finding"),
    ("none", "无比对发现", "No register finding"),
)

# Social insurance contributions: as an employee or as a flexible worker paying for themselves.
CONTRIBUTION_KINDS = (
    ("employee", "单位职工", "Employee"),
    ("flexible", "灵活就业", "Flexible employment"),
)

# A market entity's status in the business register.
ENTITY_STATUSES = (
    ("operating", "存续", "Operating"),
    ("closed", "注销", "Closed"),
)
