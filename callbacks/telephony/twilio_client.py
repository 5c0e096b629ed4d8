"""Talk to Twilio's REST API with the official client: place a click-to-call, explain its errors.

Twilio has not carried outbound calls to mainland China since 30 November 2023, so +86 numbers
are refused here with that reason instead of failing at Twilio; manual dialling is the everyday
mode for them.
"""

import re
from dataclasses import dataclass

from requests.exceptions import RequestException
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

TWILIO_HOST = re.compile(r"^https://[a-z0-9.-]+\.twilio\.com")

# Twilio error codes a caller may meet, with what to tell them (Chinese, English).
ERROR_MESSAGES = {
    20003: ("Twilio 账号认证失败，请管理员检查账号 SID 和 Auth Token", "Twilio rejected the credentials; ask the administrator to check them"),
    21210: ("主叫号码未在 Twilio 验证，无法外呼", "The caller ID is not verified with Twilio"),
    21211: ("被叫号码无效", "The number to call is not valid"),
    21214: ("被叫号码无法接通", "The number to call cannot be reached"),
    21215: ("Twilio 账号未开通拨打该地区的地理权限（Twilio 自 2023-11-30 起不再支持拨打中国大陆号码），请改用本机拨号",
            "The Twilio account has no geographic permission for this destination (Twilio stopped carrying calls to mainland China on 2023-11-30); dial manually"),
    21217: ("号码格式无效", "The phone number is not valid"),
}


@dataclass
class PlaceResult:
    placed: bool
    call_sid: str | None = None
    status: str | None = None
    error_code: str | None = None
    message_zh: str | None = None
    message_en: str | None = None


class RedirectingHttpClient(TwilioHttpClient):
    """Send the client's requests to another base URL (a test server, or an egress proxy)."""

    def __init__(self, api_base: str, **kwargs):
        super().__init__(**kwargs)
        self.api_base = api_base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        return super().request(method, TWILIO_HOST.sub(self.api_base, url), *args, **kwargs)


def is_mainland_china(number: str) -> bool:
    """Tell whether an E.164 number is a mainland China number (+86)."""
    return number.startswith("+86")


def make_client(settings: dict) -> Client:
    """Build the official client from settings (TWILIO_*); TWILIO_API_BASE redirects it."""
    options = {"timeout": float(settings.get("TWILIO_TIMEOUT", 10))}
    api_base = settings.get("TWILIO_API_BASE")
    http_client = RedirectingHttpClient(api_base, **options) if api_base else TwilioHttpClient(**options)
    return Client(settings["TWILIO_ACCOUNT_SID"], settings["TWILIO_AUTH_TOKEN"], http_client=http_client)


def place_call(settings: dict, caller_phone: str, person_phone: str, voice_url: str, status_url: str) -> PlaceResult:
    """Ask Twilio to ring the caller's phone; the voice URL's TwiML then bridges to the person."""
    if is_mainland_china(person_phone) and not settings.get("TWILIO_ALLOW_CHINA"):
        zh, en = ERROR_MESSAGES[21215]
        return PlaceResult(False, error_code="21215", message_zh=zh, message_en=en)
    try:
        call = make_client(settings).calls.create(
            to=caller_phone, from_=settings["TWILIO_CALLER_ID"], url=voice_url, method="POST",
            status_callback=status_url, status_callback_method="POST",
            status_callback_event=["initiated", "ringing", "answered", "completed"],
        )
    except TwilioRestException as error:
        zh, en = ERROR_MESSAGES.get(error.code, (f"Twilio 拒绝了呼叫（错误 {error.code or error.status}）",
                                                  f"Twilio refused the call (error {error.code or error.status})"))
        return PlaceResult(False, error_code=str(error.code or error.status), message_zh=zh, message_en=en)
    except RequestException as error:
        kind = "timeout" if "timed out" in str(error).lower() or "Timeout" in type(error).__name__ else "unreachable"
        return PlaceResult(False, error_code=kind, message_zh="无法连接 Twilio 服务（超时或网络不通），呼叫未发出，请改用本机拨号",
                           message_en="Twilio could not be reached (timeout or network); the call was not placed")
    return PlaceResult(True, call_sid=call.sid, status=call.status)
