"""Tencent Cloud SMS (API 2021-01-11) through the official SDK: send one batch of an approved template
with its signature, and pull the delivery receipts and the replies.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from tencentcloud.sms.v20210111 import models, sms_client

from callbacks.telephony.tencent_client import credentials_set, make_client, send

SMS_SETTINGS = ("TENCENT_SECRET_ID", "TENCENT_SECRET_KEY", "SMS_SDK_APP_ID", "SMS_SIGN_NAME", "SMS_TEMPLATE_ID")
MAX_NUMBERS = 200  # per SendSms request, as documented
PULL_LIMIT = 100  # per PullSms… request, as documented


@dataclass(frozen=True)
class SendOutcome:
    """The platform's answer for one number of a batch."""

    phone: str
    serial_no: str | None
    code: str  # "Ok" when accepted
    message: str


@dataclass(frozen=True)
class Receipt:
    serial_no: str
    phone: str
    delivered: bool
    received_at: datetime | None
    description: str


@dataclass(frozen=True)
class Reply:
    phone: str
    text: str
    at: datetime | None


def configured(settings) -> bool:
    """Tell whether SMS notices have their keys, application, signature and template."""
    return credentials_set(settings) and all(settings.get(name) for name in SMS_SETTINGS)


def client(settings):
    return make_client(sms_client.SmsClient, settings, "sms")


def send_batch(settings, phones: list[str], params: list[str]) -> list[SendOutcome]:
    """Send the template to at most 200 numbers; raise the SDK's exception when the whole request fails."""
    if not 0 < len(phones) <= MAX_NUMBERS:
        raise ValueError(f"a batch holds 1 to {MAX_NUMBERS} numbers, not {len(phones)}")
    request = models.SendSmsRequest()
    request.PhoneNumberSet = phones
    request.SmsSdkAppId = str(settings["SMS_SDK_APP_ID"])
    request.SignName = settings["SMS_SIGN_NAME"]
    request.TemplateId = str(settings["SMS_TEMPLATE_ID"])
    request.TemplateParamSet = params
    response = send(client(settings), "SendSms", request)
    return [SendOutcome(status.PhoneNumber, status.SerialNo or None, status.Code or "", status.Message or "")
            for status in response.SendStatusSet or []]


def pull_receipts(settings) -> list[Receipt]:
    """Take the delivery receipts waiting at the platform (each is handed out once)."""
    request = models.PullSmsSendStatusRequest()
    request.SmsSdkAppId = str(settings["SMS_SDK_APP_ID"])
    request.Limit = PULL_LIMIT
    response = send(client(settings), "PullSmsSendStatus", request)
    return [Receipt(item.SerialNo, item.PhoneNumber, item.ReportStatus == "SUCCESS", _time(item.UserReceiveTime),
                    item.Description or "") for item in response.PullSmsSendStatusSet or []]


def pull_replies(settings) -> list[Reply]:
    """Take the replies waiting at the platform (each is handed out once)."""
    request = models.PullSmsReplyStatusRequest()
    request.SmsSdkAppId = str(settings["SMS_SDK_APP_ID"])
    request.Limit = PULL_LIMIT
    response = send(client(settings), "PullSmsReplyStatus", request)
    return [Reply(item.PhoneNumber, item.ReplyContent or "", _time(item.ReplyTime))
            for item in response.PullSmsReplyStatusSet or []]


def _time(stamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(stamp, UTC) if stamp else None
