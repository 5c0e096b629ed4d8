"""The checklist of the verification (核查清单): the notice's 四、核查内容 items, the five methods of its
五、核查方式, and the code lists of conclusions and meetings. Each code-list row: (code, Chinese, English).

A campaign copies TEMPLATE_ITEMS into its own checklist; coordinators then edit, add or retire items.
"""

# 五、核查方式: the five methods, in the notice's order.
METHODS = (
    ("report", "听取工作汇报", "Hearing the work report"),
    ("ledger", "查阅资料台账", "Reviewing documents and ledgers"),
    ("site", "开展实地核查", "On-site inspection"),
    ("sampling", "进行随机抽查", "Random spot check"),
    ("opinion", "广泛听取意见", "Hearing opinions widely"),
)

# 四、核查内容: the four areas of content.
AREAS = (
    ("policy", "（一）失业登记政策落实情况", "(1) Implementation of the registration policy"),
    ("business", "（二）失业登记业务办理情况", "(2) Handling of registration business"),
    ("data", "（三）失业登记数据管理情况", "(3) Management of registration data"),
    ("service", "（四）跟踪服务与政策帮扶情况", "(4) Follow-up services and policy support"),
)

CONCLUSIONS = (
    ("compliant", "符合", "Compliant"),
    ("largely_compliant", "基本符合", "Largely compliant"),
    ("noncompliant", "不符合", "Non-compliant"),
    ("not_applicable", "不适用", "Not applicable"),
)
# A finding of these conclusions becomes a rectification item (边查边改、立行立改).
RECTIFY_CONCLUSIONS = ("largely_compliant", "noncompliant")

MEETING_KINDS = (
    ("symposium", "座谈会", "Symposium"),
    ("briefing", "听取汇报", "Work report"),
    ("opinions", "听取意见", "Hearing opinions"),
)

PARTICIPANT_ROLES = (
    ("team", "核查组成员", "Verification team member"),
    ("leader", "县（市、区）分管负责人", "County official in charge"),
    ("agency", "公共就业服务机构人员", "Employment service agency staff"),
    ("window", "窗口工作人员", "Service window staff"),
    ("grassroots", "基层经办人员", "Grassroots case worker"),
    ("registrant", "登记失业人员", "Registered unemployed person"),
    ("other", "其他", "Other"),
)

# The spot-check figures that speak to an item: ("rate", discrepancy type or "any") or ("service", code).
# The register comparison's figures (when that area is present) are added by their own item keys.
ITEM_FIGURES = {
    "1.3": (("rate", "not_authentic"),),
    "2.2": (("service", "certificate_issued"),),
    "2.3": (("rate", "should_have_been_cancelled"),),
    "3.1": (("rate", "any"), ("rate", "inaccurate_data"), ("rate", "not_authentic")),
    "4.1": (("rate", "assistance_not_delivered"), ("service", "agency_callback")),
    "4.2": (("service", "job_referral"), ("service", "vocational_guidance"), ("service", "skills_training"),
            ("service", "entrepreneurship_support"), ("service", "employment_assistance")),
}

# (key, area, the notice's wording, a short English rendering, the methods that check it).
TEMPLATE_ITEMS = (
    ("1.1", "policy",
     "核查各县（市、区）是否及时传达学习国家、省、市失业登记政策文件，是否结合本地实际制定实施细则、工作方案，"
     "明确工作责任分工和时间节点。",
     "Policy documents of state, province and city passed on and studied in time; local rules and work plans "
     "made, with responsibilities and deadlines.",
     ("report", "ledger")),
    ("1.2", "policy",
     "检查失业登记政策宣传普及情况，是否通过线上线下多渠道开展解读宣传，确保失业人员知晓登记渠道、材料、流程，"
     "覆盖各类失业群体。",
     "Publicity of the policy online and offline, so that unemployed people know the channels, documents and "
     "steps, covering every group.",
     ("ledger", "site", "opinion")),
    ("1.3", "policy",
     "检查是否严格执行失业登记范围、条件、流程，无擅自放宽或收紧标准、违规办理、拒绝办理等问题。",
     "Scope, conditions and procedure applied strictly: no loosening or tightening of the standard, irregular "
     "handling or refusals.",
     ("ledger", "sampling", "opinion")),
    ("2.1", "business",
     "核查线上线下办理渠道畅通性，平台运行是否正常，是否实现户籍地、常住地、参保地、就业地多地可办，"
     "办理是否便捷高效。",
     "Online and offline channels open, the platform working, registration possible at the place of household "
     "registration, residence, insurance or work; handling convenient and efficient.",
     ("site", "opinion")),
    ("2.2", "business",
     "检查申请受理、材料审核、信息录入、登记办结、《就业创业证》发放等环节是否规范，有无材料缺失、审核不严、"
     "超时办理，业务台账是否齐全完整。",
     "Acceptance, document review, data entry, completion and issue of the Employment and Entrepreneurship "
     "Certificate done properly; no missing documents, lax review or delays; business ledgers complete.",
     ("ledger", "site", "sampling")),
    ("2.3", "business",
     "抽查失业登记注销情况，对已就业、退休、死亡、失联等不符合条件的人员，是否按规定及时规范注销，依据充分、"
     "程序合规。",
     "De-registration of persons no longer eligible (employed, retired, deceased, lost contact) timely and "
     "proper, on sufficient grounds and by the rules.",
     ("ledger", "sampling")),
    ("3.1", "data",
     "核查登记信息完整度、准确度、真实性，杜绝漏登、错登、重复登记，人员基本信息、失业原因、登记时间、"
     "就业状态等核心数据无误。",
     "Registration data complete, accurate and true: no missed, wrong or duplicate registrations; core data "
     "(personal details, reason, date, employment status) correct.",
     ("ledger", "sampling")),
    ("3.2", "data",
     "检查数据动态更新机制，是否建立常态化数据核查制度，定期与社保、工商、民政、公安等部门数据比对，"
     "及时更新就业状态。",
     "Data kept up to date: a regular checking routine, periodic comparison with social insurance, market "
     "regulation, civil affairs and public security data, employment status updated in time.",
     ("report", "ledger")),
    ("3.3", "data",
     "查看电子与纸质台账建立及管理情况，数据归档、保管、调取是否规范，数据安全保密措施是否落实到位。",
     "Electronic and paper ledgers kept and managed; filing, custody and retrieval by the rules; data security "
     "and confidentiality measures in place.",
     ("ledger", "site")),
    ("4.1", "service",
     "核查对登记失业人员定期走访、回访，全面掌握就业意愿、技能水平、培训需求，建立一对一帮扶台账。",
     "Registered persons visited and called back regularly, their wish to work, skills and training needs "
     "known; one-to-one assistance ledgers kept.",
     ("ledger", "sampling")),
    ("4.2", "service",
     "检查就业创业扶持政策落实情况，精准提供职业介绍、技能培训、创业扶持、就业援助等服务，帮扶成效是否明显。",
     "Employment and entrepreneurship support delivered: job referral, skills training, entrepreneurship "
     "support and employment assistance given precisely, with visible results.",
     ("report", "ledger", "sampling", "opinion")),
)


def item_number(key: str) -> str:
    """Return how the notice numbers an item: "1.3" -> "四（一）3"."""
    area, _, number = key.partition(".")
    numerals = "一二三四五六七八九十"
    if area.isdigit() and 1 <= int(area) <= 10:
        return f"四（{numerals[int(area) - 1]}）{number}"
    return key
