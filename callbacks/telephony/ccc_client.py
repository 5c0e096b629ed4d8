"""Tencent Cloud Contact Center (云联络中心, API 2020-02-10) through the official SDK: place a dual
call (双呼) and read call records (话单) back.

A dual call first rings the caller's own mobile (the one bound to their agent account, UserId) from
the centre's outbound numbers; when they answer, the platform rings the person. The SessionId it
returns identifies the call in the records that DescribeTelCdr lists once the call has ended.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from tencentcloud.ccc.v20200210 import ccc_client, models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from callbacks.telephony.tencent_client import credentials_set, explain, make_client, send

CCC_SETTINGS = ("TENCENT_SECRET_ID", "TENCENT_SECRET_KEY", "CCC_SDK_APP_ID", "CCC_CALLERS")
PAGE_SIZE = 100  # the API's upper limit
MAX_PAGES = 50  # a guard: 5,000 records in one window is far beyond one team's calls

NOT_MAINLAND = ("号码不是中国大陆号码（+86），云联络中心只能拨打大陆号码，请用本机拨号",
                "The number is not a mainland China (+86) number; the contact centre calls only those")


@dataclass
class DialResult:
    placed: bool
    session_id: str | None = None
    error_code: str | None = None
    message_zh: str | None = None
    message_en: str | None = None


@dataclass(frozen=True)
class CallDetail:
    """What a call record (TelCdrInfo) says about one session."""

    session_id: str
    rang_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None
    end_status: str  # EndStatusString: ok, notAnswer, busy, powerOff, …
    uui: str | None


def configured(settings) -> bool:
    """Tell whether the tencent_ccc provider is chosen and has what it needs."""
    return (settings.get("TELEPHONY_PROVIDER") == "tencent_ccc" and credentials_set(settings)
            and all(settings.get(name) for name in CCC_SETTINGS))


def to_ccc_number(e164: str) -> str | None:
    """Write an E.164 mainland number the way CCC's examples do: 0086 and the mobile number
    (008613012345678), or 0086 and the landline with its trunk 0 (0086075512345678); None for others."""
    national = e164[3:]
    if not e164.startswith("+86") or not national.isdigit():
        return None
    return "0086" + (national if national.startswith("1") else "0" + national)


def callers(settings) -> list[str]:
    """Return the centre's outbound numbers (a list, or one comma-separated string) in 0086 form."""
    value = settings.get("CCC_CALLERS") or []
    numbers = value.split(",") if isinstance(value, str) else [str(number) for number in value]
    result = []
    for number in (n.strip() for n in numbers if str(n).strip()):
        result.append(number if number.startswith("0086") else (to_ccc_number(number) or number))
    return result


def client(settings):
    return make_client(ccc_client.CccClient, settings, "ccc")


def place_dual_call(settings, agent_user_id: str, person_e164: str, uui: str) -> DialResult:
    """Ask CCC to ring the agent's mobile, then the person; return the SessionId or the reason."""
    callee = to_ccc_number(person_e164)
    if callee is None:
        return DialResult(False, error_code="NotMainland", message_zh=NOT_MAINLAND[0], message_en=NOT_MAINLAND[1])
    request = models.CreateCallOutSessionRequest()
    request.SdkAppId = int(settings["CCC_SDK_APP_ID"])
    request.UserId = agent_user_id
    request.Callee = callee
    request.Callers = callers(settings)
    request.IsForceUseMobile = True
    request.UUI = uui
    try:
        response = send(client(settings), "CreateCallOutSession", request)
    except TencentCloudSDKException as error:
        explained = explain(error)
        return DialResult(False, error_code=explained.code[:32], message_zh=explained.message_zh,
                          message_en=explained.message_en)
    return DialResult(True, session_id=response.SessionId)


def call_details(settings, session_ids: list[str], start: datetime, end: datetime) -> list[CallDetail]:
    """List the call records of these sessions between start and end, page by page (raises the SDK's
    exception on failure: the caller keeps the calls open and tries again on the next sweep)."""
    sdk = client(settings)
    found: list[CallDetail] = []
    for page in range(MAX_PAGES):
        request = models.DescribeTelCdrRequest()
        request.SdkAppId = int(settings["CCC_SDK_APP_ID"])
        request.StartTimeStamp = int(start.timestamp())
        request.EndTimeStamp = int(end.timestamp())
        request.SessionIds = session_ids
        request.PageSize = PAGE_SIZE
        request.PageNumber = page
        response = send(sdk, "DescribeTelCdr", request)
        records = response.TelCdrList or []  # TelCdrs is the deprecated name
        found.extend(_detail(cdr) for cdr in records if cdr.SessionId)
        if len(records) < PAGE_SIZE or (page + 1) * PAGE_SIZE >= (response.TotalCount or 0):
            break
    return found


def _detail(cdr) -> CallDetail:
    return CallDetail(
        session_id=cdr.SessionId, rang_at=_time(cdr.RingTimestamp), answered_at=_time(cdr.AcceptTimestamp),
        ended_at=_time(cdr.EndedTimestamp), duration_seconds=cdr.Duration,
        end_status=cdr.EndStatusString or str(cdr.EndStatus or ""), uui=cdr.UUI,
    )


def _time(stamp: int | None) -> datetime | None:
    """Turn a Unix timestamp into an aware UTC datetime (0 or None: it did not happen)."""
    return datetime.fromtimestamp(stamp, UTC) if stamp else None
