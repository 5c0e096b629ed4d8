"""Reach Tencent Cloud's APIs through the official SDK: credentials, endpoint and timeout from the
settings, one rate limit for the whole process, and every error explained in Chinese.

The secret key only ever goes into the SDK's Credential object: it is never shown, stored elsewhere
or logged (the SDK's own logger is left at its silent default).
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

CREDENTIAL_SETTINGS = ("TENCENT_SECRET_ID", "TENCENT_SECRET_KEY")
MAX_REQUESTS_PER_SECOND = 20  # the documented default limit of CreateCallOutSession and DescribeTelCdr

# Error codes (prefix matches: "LimitExceeded" covers "LimitExceeded.AppDailyLimit") with what to do.
ERROR_MESSAGES: list[tuple[str, str, str]] = [
    ("AuthFailure", "腾讯云拒绝了密钥（SecretId/SecretKey 错误、过期或签名不符），请管理员检查密钥设置",
     "Tencent Cloud rejected the keys (wrong, expired, or the signature did not match); ask the administrator"),
    ("OperationDenied.NotInWhiteList", "您的座席手机号不在外呼白名单中，请管理员在云联络中心为该手机申请外呼白名单后再试；现在请用本机拨号",
     "Your agent mobile is not on the outbound allowlist; ask the administrator to apply for it; dial by hand now"),
    ("InvalidParameterValue.AccountNotExist", "您的座席账号（UserId）在云联络中心不存在或未绑定手机号，请管理员在电话设置页核对座席账号并在平台绑定手机",
     "Your agent account (UserId) does not exist on the contact centre or has no mobile bound; ask the administrator"),
    ("FailedOperation.SeatStatusBusy", "您的座席正忙（上一通电话未结束），请挂断后再试",
     "Your agent seat is busy (the last call has not ended); hang up and try again"),
    ("FailedOperation.NoCallOutNumber", "没有可用的外呼号码，请管理员检查外呼号码设置",
     "No outbound number is available; ask the administrator to check the outbound numbers"),
    ("FailedOperation.CalleeIsLimited", "被叫号码被限制外呼（运营商或平台风控），请改用本机拨号或安排走访",
     "The number is restricted for outbound calls; dial by hand or plan a visit"),
    ("FailedOperation.CalloutRule", "触发平台外呼规则（非外呼时段或该号码呼叫次数已达上限），请稍后再试或用本机拨号",
     "A calling rule of the platform stopped the call (hours or call count); try later or dial by hand"),
    ("InvalidParameterValue.PhoneNumInvalid", "号码格式不正确（应为 0086 开头的大陆号码），请核对号码",
     "The number is not in the right format (0086 followed by a mainland number); check it"),
    ("InvalidParameter.InvalidPhoneNumber", "号码格式不正确（应为 0086 开头的大陆号码），请核对号码",
     "The number is not in the right format (0086 followed by a mainland number); check it"),
    ("InvalidParameterValue.IncorrectPhoneNumber", "手机号码格式不正确，请核对号码",
     "The mobile number is not in the right format; check it"),
    ("FailedOperation.PhoneNumberInBlacklist", "该号码已退订或在短信黑名单中，无法发送",
     "The number unsubscribed or is on the SMS blacklist"),
    ("FailedOperation.SignatureIncorrectOrUnapproved", "短信签名未审核通过或填写错误，请管理员核对签名",
     "The SMS signature is not approved or is wrong; ask the administrator"),
    ("FailedOperation.TemplateIncorrectOrUnapproved", "短信模板未审核通过或模板 ID 错误，请管理员核对模板",
     "The SMS template is not approved or its id is wrong; ask the administrator"),
    ("RequestLimitExceeded", "请求过于频繁（每秒最多 20 次），请稍后再试",
     "Too many requests (at most 20 a second); try again shortly"),
    ("LimitExceeded", "已超出平台配额或频率限制（套餐、每日条数或每秒次数），请稍后再试或请管理员检查套餐",
     "A quota or rate limit of the platform was reached; try later or ask the administrator to check the plan"),
    ("InvalidParameterValue", "参数不正确（号码格式或应用 ID），请管理员核对设置",
     "A parameter was refused (number format or application id); ask the administrator to check the settings"),
    ("InvalidParameter", "参数不正确，请管理员核对设置", "A parameter was refused; ask the administrator to check the settings"),
    ("FailedOperation", "腾讯云未能完成操作，请稍后再试或改用本机拨号", "Tencent Cloud could not do it; try later or dial by hand"),
    ("ClientNetworkError", "无法连接腾讯云（超时或网络不通），未发出，请稍后再试或改用本机拨号",
     "Tencent Cloud could not be reached (timeout or network); nothing was sent"),
    ("ServerNetworkError", "腾讯云服务暂时不可用，未发出，请稍后再试", "Tencent Cloud is unavailable for now; nothing was sent"),
]


@dataclass(frozen=True)
class ApiError:
    """A refused or failed request: its code and what to tell the user (Chinese, English)."""

    code: str
    message_zh: str
    message_en: str


def explain(error: TencentCloudSDKException) -> ApiError:
    """Turn an SDK exception into its code and a message that says what to do."""
    code = error.get_code() or "ClientError"
    for prefix, zh, en in ERROR_MESSAGES:
        if code == prefix or code.startswith(prefix + "."):
            return ApiError(code, zh, en)
    return ApiError(code, f"腾讯云返回错误（{code}），请稍后再试或联系管理员", f"Tencent Cloud answered an error ({code})")


class RateLimiter:
    """Space requests so that at most `per_second` leave this process in any second."""

    def __init__(self, per_second: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / per_second
        self.clock, self.sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next request may go."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self.sleep(start - now)


# A little under the limit: the platform counts by its own clock, and a request's trip varies.
LIMITER = RateLimiter(MAX_REQUESTS_PER_SECOND - 2)


def credentials_set(settings) -> bool:
    """Tell whether both halves of the API key are configured."""
    return all(settings.get(name) for name in CREDENTIAL_SETTINGS)


def make_client(client_class, settings, service: str):
    """Build an official SDK client; TENCENT_API_BASE (tests, an egress proxy) replaces the endpoint."""
    http = HttpProfile(reqTimeout=int(settings.get("TENCENT_TIMEOUT") or 10))
    api_base = settings.get("TENCENT_API_BASE")
    if api_base:
        parts = urlsplit(api_base)
        http.protocol = http.scheme = parts.scheme
        http.endpoint = parts.netloc
    else:
        http.endpoint = f"{service}.tencentcloudapi.com"
    keys = credential.Credential(settings["TENCENT_SECRET_ID"], settings["TENCENT_SECRET_KEY"])
    return client_class(keys, settings.get("TENCENT_REGION") or "ap-guangzhou", ClientProfile(httpProfile=http))


def send(client, method: str, request):
    """Send one request through the rate limit; return the SDK's response or raise its exception."""
    LIMITER.wait()
    return getattr(client, method)(request)
