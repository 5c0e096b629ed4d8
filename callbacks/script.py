"""The call script (回访话术) shown beside each task; coordinators edit it, this is the default."""

from sqlalchemy import select

from callbacks.context import Actor
from config.dispositions import PHONE, VISIT
from core import auditlog
from core.extensions import db
from models import CallScript

# The script is Chinese by design: it is what the caller says to the person, in Zhanjiang.
DEFAULT_SCRIPTS = {
    PHONE: """【开场】您好！我是湛江市就业服务管理中心的工作人员，工号＿＿。我们正在开展失业登记工作专项核查，想占用您几分钟时间，了解您失业登记和就业服务的情况。请问您是＿＿（姓名）本人吗？

【确认身份】为保护您的信息，我不会读出您的身份证号码。请您说一下身份证号码的最后四位，以及您的出生年月。（与系统核对；不一致时请勿继续询问，选择“非本人/号码错误”。）

【真实性】请问您本人是否在＿＿年＿＿月到＿＿（登记机构）办理过失业登记？办理登记时您是否处于失业状态？

【准确性】我核对一下登记信息：您的姓名、性别、联系电话、地址、失业原因是否如下……有不对的地方请告诉我正确的内容。

【当前状态】请问您现在的就业情况是：仍失业并在找工作、已就业、自主创业或灵活就业、已领取养老金、在校或服兵役、已迁离本地，还是其他？从什么时候开始的？

【服务情况】登记以来，您是否获得过职业介绍、职业指导、技能培训、创业服务、就业援助、失业保险待遇？是否领取了就业创业证？近三个月是否有工作人员回访过您？

【满意度与需求】您对我们的就业服务满意吗？目前是否有就业意愿？有没有培训需求？

【结束】感谢您的配合！如有就业方面的需要，可以拨打当地公共就业服务机构电话咨询。再见！

（对方要求改约时间：选择“预约回拨”并填写对方方便的时间。对方明确表示不愿再被联系：选择“要求不再联系”。）""",
    VISIT: """【开场】您好！我是湛江市就业服务管理中心的工作人员（出示工作证）。我们正在开展失业登记工作专项核查，想向您了解失业登记和就业服务的情况。请问＿＿（姓名）是住在这里吗？

【确认身份】请本人出示身份证，核对姓名和出生日期（不要抄录或拍摄证件）。本人不在、由家属回答时，请记录为“家属代答”，并请家属确认被核查人的身份。

【询问内容】与电话回访相同：是否办理过失业登记、登记时是否失业、登记信息是否准确、目前就业状态及起始时间、登记以来获得的服务、满意度、就业意愿和培训需求。

【结束】感谢配合，告知当地公共就业服务机构的联系方式。

（无人在家：记录“无人在家”，按规则另选日子再访；查无此人或已搬离：如实记录。）""",
}


def script_for(session, channel: str) -> str:
    """Return the current call script of a channel."""
    stored = session.scalar(select(CallScript.body).where(CallScript.channel == channel))
    return stored if stored is not None else DEFAULT_SCRIPTS[channel]


def save_script(actor: Actor, channel: str, body: str, now) -> None:
    """Replace a channel's call script; the previous text goes to the audit log."""
    with db.write_transaction() as session:
        script = session.get(CallScript, channel)
        previous = script.body if script else DEFAULT_SCRIPTS[channel]
        if script is None:
            script = CallScript(channel=channel, body=body)
            session.add(script)
        script.body, script.updated_by_id, script.updated_at = body, actor.id, now
        auditlog.record("followup.script", "call_script", channel, user=actor, previous=previous)
