"""Code lists of the telephony providers: SMS notice statuses and the Tencent CCC call end statuses
(EndStatusString, as documented for TelCdrInfo), as (code, Chinese, English) rows."""

SMS_STATUSES = (
    ("sending", "发送中", "Sending"),
    ("sent", "已提交", "Sent"),
    ("delivered", "已送达", "Delivered"),
    ("undelivered", "未送达", "Not delivered"),
    ("failed", "发送失败", "Failed"),
)

CALL_END_STATUSES = (
    ("ok", "正常通话", "Talked"),
    ("notAnswer", "被叫未接听", "Not answered"),
    ("userReject", "被叫拒接挂断", "Rejected by the person"),
    ("powerOff", "被叫关机", "Phone switched off"),
    ("numberNotExist", "被叫空号", "Number does not exist"),
    ("busy", "被叫忙", "Busy"),
    ("outOfCredit", "被叫欠费", "Person's line out of credit"),
    ("operatorError", "运营商线路异常", "Carrier line error"),
    ("callerCancel", "主叫取消", "Cancelled by the caller"),
    ("notInService", "被叫不在服务区", "Out of service area"),
    ("clientError", "座席客户端错误", "Agent client error"),
    ("carrierBlocked", "运营商拦截", "Blocked by the carrier"),
    ("callReminder", "提示来电提醒", "Call reminder service"),
    ("numberInvalid", "被叫号码无效", "Number not valid"),
    ("callRestricted", "提示呼叫受限", "Call restricted"),
    ("calleeRestricted", "被叫黑名单受限", "Person's number blacklisted"),
    ("areaRestricted", "被叫区域受限", "Area restricted"),
    ("promptCallForwarding", "提示呼叫转移", "Call forwarding"),
    ("callerCancelWhileRing", "振铃中主叫取消", "Caller hung up while ringing"),
    ("callerCancelWithoutRing", "未振铃被叫号码异常", "Number problem before ringing"),
    ("voiceMailReached", "语音信箱挂断", "Voicemail reached"),
    ("restrictedCallee", "风险号码拦截", "Risky number blocked"),
    ("tooManyRequest", "外呼频控拦截", "Blocked by the call rate control"),
    ("restrictedArea", "外呼地域拦截", "Blocked by area"),
    ("restrictedTime", "外呼时段拦截", "Blocked by calling hours"),
)

# What an SMS notice's template may be filled with (config.settings.SMS_CAMPAIGN_PARAMS), as shown.
SMS_PARAMS = (
    ("campaign_name", "核查批次名称", "Campaign name"),
    ("callback_number", "来电号码", "Number that will call"),
    ("period_end", "核查截止日期", "End of the campaign period"),
)
