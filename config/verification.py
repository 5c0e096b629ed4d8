"""Code lists of the verification record (核查结论): what a completed contact establishes.

Each entry is `(code, Chinese label, English label)`, so `config.codelists.label` reads them all.
Which answers make which discrepancy is decided in `callbacks.findings`, not here.
"""

CURRENT_STATUSES = (
    ("unemployed_seeking", "仍失业且在求职", "Still unemployed and seeking work"),
    ("employed", "已就业", "Employed"),
    ("self_employed", "自主创业或灵活就业", "Self-employed or flexible work"),
    ("pension", "已领取养老金", "Receiving a pension"),
    ("school_military", "在校学习或服兵役", "In school or military service"),
    ("moved_away", "已迁离本地", "Moved away"),
    ("unable_to_work", "丧失劳动能力", "Unable to work"),
    ("not_seeking", "无就业意愿", "Not seeking work"),
    ("deceased", "已故", "Deceased"),
)

SERVICES = (
    ("job_referral", "职业介绍", "Job referral"),
    ("vocational_guidance", "职业指导", "Vocational guidance"),
    ("skills_training", "职业技能培训", "Skills training"),
    ("entrepreneurship_support", "创业服务", "Entrepreneurship support"),
    ("employment_assistance", "就业援助", "Employment assistance"),
    ("unemployment_insurance", "失业保险待遇", "Unemployment insurance benefits"),
    ("certificate_issued", "就业创业证", "Employment and Entrepreneurship Certificate issued"),
    ("agency_callback", "近三个月回访", "Called back by the agency in the last three months"),
)

SATISFACTION_LEVELS = (
    ("very_satisfied", "非常满意", "Very satisfied"),
    ("satisfied", "满意", "Satisfied"),
    ("fairly_satisfied", "基本满意", "Fairly satisfied"),
    ("dissatisfied", "不满意", "Dissatisfied"),
    ("no_opinion", "说不清", "No opinion"),
)

WISH_TO_WORK = (
    ("yes", "有就业意愿", "Wants to work"),
    ("no", "无就业意愿", "Does not want to work"),
    ("undecided", "尚未确定", "Undecided"),
)

# Roster fields a person can say are wrong; the record stores the right value beside each.
CORE_FIELDS = (
    ("name", "姓名", "Name"),
    ("gender", "性别", "Gender"),
    ("id_number", "公民身份号码", "Citizen ID number"),
    ("phone", "联系电话", "Phone"),
    ("address", "地址", "Address"),
    ("unemployment_reason", "失业原因", "Reason for unemployment"),
    ("registered_on", "失业登记日期", "Registration date"),
    ("employment_status", "就业状态", "Employment status"),
)

DISCREPANCY_TYPES = (
    ("not_authentic", "登记不真实", "Registration not authentic"),
    ("inaccurate_data", "信息不准确", "Inaccurate data"),
    ("should_have_been_cancelled", "应注销未注销", "Should have been cancelled"),
    ("assistance_not_delivered", "服务未落实", "Assistance not delivered"),
)

# Where a rectification item comes from.
RECTIFICATION_SOURCES = (
    ("spot_check", "随机抽查", "Spot check"),
    ("register", "数据比对", "Register comparison"),
    ("checklist", "核查清单", "Checklist"),
)

# The rule behind each derived discrepancy, shown to the caller who confirms it.
FINDING_REASONS = (
    ("never_registered", "本人称从未办理失业登记", "The person says they never registered"),
    ("not_unemployed_at_registration", "本人称登记时并未失业", "The person says they were not unemployed when registered"),
    ("ineligible_before_registration", "登记前已就业、退休、在校或已故",
     "Employed, retired, in school or deceased before the registration date"),
    ("wrong_core_field", "核心信息有误", "A core field is wrong"),
    ("status_change_not_cancelled", "状态变化超过宽限期仍未注销", "Status changed and not cancelled within the grace period"),
    ("no_services", "登记以来未获得任何就业服务", "No employment service received since registration"),
    ("no_recent_callback", "近三个月未获回访", "No call-back by the agency in the last three months"),
)
