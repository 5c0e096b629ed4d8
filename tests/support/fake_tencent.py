"""A fake Tencent Cloud API on 127.0.0.1: the Contact Center (ccc, 2020-02-10) and SMS (sms, 2021-01-11)
actions the app uses, reached by the official SDK clients through their HttpProfile endpoint.

Every request is checked as Tencent Cloud checks it: the TC3-HMAC-SHA256 signature recomputed with the
configured secret (a wrong key is refused with AuthFailure.SignatureFailure), the timestamp, the
service, action and version, and the parameters; answers have the documented shapes, errors included
(`{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`).
"""

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_ID, SECRET_KEY = "AKIDfakeSpotcheck0123456789", "fake-secret-key-0123456789"
CCC_APP_ID, SMS_APP_ID = 1400000001, "1400000002"
SIGN_NAME, TEMPLATE_ID = "湛江市就业服务管理中心", "2000001"
AGENT, AGENT_NOT_ALLOWLISTED = "caller@example.gov.cn", "new@example.gov.cn"
CENTRE_NUMBER = "0086075912345678"

VERSIONS = {"ccc": "2020-02-10", "sms": "2021-01-11"}
ACTIONS = {"ccc": {"CreateCallOutSession", "DescribeTelCdr"},
           "sms": {"SendSms", "PullSmsSendStatus", "PullSmsReplyStatus"}}
CCC_NUMBER = re.compile(r"^0086\d{7,12}$")
E164_CN = re.compile(r"^\+86\d{11}$")
AUTH = re.compile(r"^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/(\w+)/tc3_request, "
                  r"SignedHeaders=content-type;host, Signature=([0-9a-f]{64})$")


class ApiFailure(Exception):
    def __init__(self, code: str, message: str = "refused by the fake"):
        super().__init__(code)
        self.code, self.message = code, message


def tc3_signature(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    """Sign as the TC3-HMAC-SHA256 documentation says (written here apart from the SDK's own code)."""
    def mac(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencent:
    """Serve the fake API in a thread; set scenarios and inspect `requests` after a test."""

    def __init__(self, secret_id: str = SECRET_ID, secret_key: str = SECRET_KEY, template_params: int = 1):
        self.secret_id, self.secret_key = secret_id, secret_key
        self.template_params = template_params
        self.agents = {AGENT: True, AGENT_NOT_ALLOWLISTED: False}  # agent -> mobile on the allowlist
        self.requests: list[tuple[float, str, dict]] = []  # (time, action, params) of accepted requests
        self.refused: list[tuple[str, str]] = []  # (action, error code)
        self.fail_next: dict[str, str] = {}  # action -> error code to answer once
        self.delay = 0.0
        self.outcome = {"EndStatusString": "ok", "Duration": 95}  # how the next dual call ends
        self.cdrs: list[dict] = []
        self.blacklist: set[str] = set()  # E.164 numbers the SMS platform refuses
        self.undeliverable: set[str] = set()  # numbers whose receipt says FAIL
        self.receipts: list[dict] = []  # waiting for PullSmsSendStatus
        self.replies: list[dict] = []  # waiting for PullSmsReplyStatus
        self.sms: list[dict] = []  # every SendSms accepted
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._lock = threading.Lock()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def actions(self, name: str) -> list[dict]:
        return [params for _t, action, params in self.requests if action == name]

    def reply(self, phone: str, text: str, at: int | None = None) -> None:
        """The person answers the notice by SMS."""
        self.replies.append({"ExtendCode": "", "CountryCode": "86", "PhoneNumber": phone, "SignName": SIGN_NAME,
                             "ReplyContent": text, "ReplyTime": at or int(time.time()),
                             "SubscriberNumber": phone.removeprefix("+86")})

    # -- checking a request ------------------------------------------------------------------------

    def check(self, headers, body: bytes) -> tuple[str, dict]:
        match = AUTH.match(headers.get("Authorization", ""))
        if not match:
            raise ApiFailure("AuthFailure.InvalidAuthorization", "Authorization header is malformed")
        secret_id, date, service, signature = match.groups()
        if secret_id != self.secret_id:
            raise ApiFailure("AuthFailure.SecretIdNotFound", "The SecretId is not found")
        timestamp = int(headers.get("X-TC-Timestamp", "0"))
        if abs(time.time() - timestamp) > 300 or time.strftime("%Y-%m-%d", time.gmtime(timestamp)) != date:
            raise ApiFailure("AuthFailure.SignatureExpire", "The request is expired")
        canonical = "\n".join(["POST", "/", "", f"content-type:{headers.get('Content-Type')}",
                               f"host:{headers.get('Host')}", "", "content-type;host",
                               hashlib.sha256(body).hexdigest()])
        string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/{service}/tc3_request",
                                    hashlib.sha256(canonical.encode()).hexdigest()])
        if not hmac.compare_digest(signature, tc3_signature(self.secret_key, date, service, string_to_sign)):
            raise ApiFailure("AuthFailure.SignatureFailure", "The provided credentials could not be validated")
        action = headers.get("X-TC-Action", "")
        if service not in VERSIONS or action not in ACTIONS[service]:
            raise ApiFailure("InvalidAction", f"{service}/{action} is not an action of this fake")
        if headers.get("X-TC-Version") != VERSIONS[service]:
            raise ApiFailure("NoSuchVersion", "The version does not exist")
        return action, json.loads(body or b"{}")

    def answer(self, action: str, params: dict) -> dict:
        with self._lock:
            recent = [t for t, _a, _p in self.requests if t > time.monotonic() - 1]
            if len(recent) >= 20:
                raise ApiFailure("RequestLimitExceeded", "more than 20 requests in a second")
            if action in self.fail_next:
                raise ApiFailure(self.fail_next.pop(action))
            self.requests.append((time.monotonic(), action, params))
        return getattr(self, "_" + action)(params)

    # -- Contact Center ----------------------------------------------------------------------------

    def _CreateCallOutSession(self, p: dict) -> dict:
        if p.get("SdkAppId") != CCC_APP_ID:
            raise ApiFailure("InvalidParameterValue.InstanceNotExist", "SdkAppId does not exist")
        if p.get("UserId") not in self.agents:
            raise ApiFailure("InvalidParameterValue.AccountNotExist", "The agent does not exist")
        if not self.agents[p["UserId"]]:
            raise ApiFailure("OperationDenied.NotInWhiteList", "The agent's mobile is not on the allowlist")
        if not CCC_NUMBER.match(p.get("Callee", "")):
            raise ApiFailure("InvalidParameterValue.PhoneNumInvalid", "Callee must start with 0086")
        if not p.get("Callers") or not all(CCC_NUMBER.match(n) for n in p["Callers"]):
            raise ApiFailure("InvalidParameter.InvalidPhoneNumber", "Callers must start with 0086")
        if p.get("IsForceUseMobile") is not True:
            raise ApiFailure("InvalidParameter", "IsForceUseMobile must be true")
        session = str(uuid.uuid4())
        start = int(time.time())
        end_status, duration = self.outcome["EndStatusString"], self.outcome["Duration"]
        answered = end_status == "ok"
        self.cdrs.append({
            "SessionId": session, "Caller": p["Callers"][0], "Callee": p["Callee"], "Time": start, "Direction": 1,
            "CallType": 1, "Duration": duration if answered else 0, "EndStatus": 1 if answered else 202,
            "EndStatusString": end_status, "RingTimestamp": start + 5, "AcceptTimestamp": start + 12 if answered else 0,
            "EndedTimestamp": start + 12 + (duration if answered else 20), "StartTimestamp": start,
            "UUI": p.get("UUI", ""), "HungUpSide": "user", "SeatUser": {"UserId": p["UserId"]},
        })
        return {"SessionId": session}

    def _DescribeTelCdr(self, p: dict) -> dict:
        if p.get("SdkAppId") != CCC_APP_ID:
            raise ApiFailure("InvalidParameterValue.InstanceNotExist", "SdkAppId does not exist")
        start, end = p.get("StartTimeStamp"), p.get("EndTimeStamp")
        if not (isinstance(start, int) and isinstance(end, int)) or end < start or end - start >= 90 * 86400:
            raise ApiFailure("InvalidParameterValue", "the time window must be under 90 days")
        size, number = p.get("PageSize"), p.get("PageNumber")
        if not isinstance(size, int) or not 0 < size <= 100 or not isinstance(number, int) or number < 0:
            raise ApiFailure("InvalidParameterValue", "PageSize 1..100 and PageNumber from 0 are required")
        sessions = set(p.get("SessionIds") or [])
        rows = [c for c in self.cdrs if start <= c["Time"] <= end and (not sessions or c["SessionId"] in sessions)]
        return {"TotalCount": len(rows), "TelCdrList": rows[number * size:(number + 1) * size]}

    # -- SMS ---------------------------------------------------------------------------------------

    def _SendSms(self, p: dict) -> dict:
        numbers = p.get("PhoneNumberSet") or []
        if p.get("SmsSdkAppId") != SMS_APP_ID:
            raise ApiFailure("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId does not exist")
        if not numbers:
            raise ApiFailure("MissingParameter", "PhoneNumberSet is empty")
        if len(numbers) > 200:
            raise ApiFailure("LimitExceeded.PhoneNumberCountLimit", "at most 200 numbers per request")
        if p.get("SignName") != SIGN_NAME:
            raise ApiFailure("FailedOperation.SignatureIncorrectOrUnapproved", "signature not approved")
        if p.get("TemplateId") != TEMPLATE_ID:
            raise ApiFailure("FailedOperation.TemplateIncorrectOrUnapproved", "template not approved")
        if len(p.get("TemplateParamSet") or []) != self.template_params:
            raise ApiFailure("FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "parameter count")
        self.sms.append(p)
        statuses = []
        for number in numbers:
            if not E164_CN.match(number):
                statuses.append(self._status(number, "", "InvalidParameterValue.IncorrectPhoneNumber"))
            elif number in self.blacklist:
                statuses.append(self._status(number, "", "FailedOperation.PhoneNumberInBlacklist"))
            else:
                serial = f"2433:{uuid.uuid4().hex[:20]}"
                statuses.append(self._status(number, serial, "Ok"))
                failed = number in self.undeliverable
                self.receipts.append({
                    "UserReceiveTime": int(time.time()) + 3, "CountryCode": "86", "PhoneNumber": number,
                    "SubscriberNumber": number.removeprefix("+86"), "SerialNo": serial,
                    "ReportStatus": "FAIL" if failed else "SUCCESS",
                    "Description": "用户关机" if failed else "用户接收成功", "SessionContext": "",
                })
        return {"SendStatusSet": statuses}

    @staticmethod
    def _status(number: str, serial: str, code: str) -> dict:
        return {"SerialNo": serial, "PhoneNumber": number, "Fee": 1 if code == "Ok" else 0, "SessionContext": "",
                "Code": code, "Message": "send success" if code == "Ok" else "refused", "IsoCode": "CN"}

    def _PullSmsSendStatus(self, p: dict) -> dict:
        return {"PullSmsSendStatusSet": self._pull(self.receipts, p)}

    def _PullSmsReplyStatus(self, p: dict) -> dict:
        return {"PullSmsReplyStatusSet": self._pull(self.replies, p)}

    def _pull(self, queue: list[dict], p: dict) -> list[dict]:
        if p.get("SmsSdkAppId") != SMS_APP_ID:
            raise ApiFailure("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId does not exist")
        if not isinstance(p.get("Limit"), int) or not 0 < p["Limit"] <= 100:
            raise ApiFailure("InvalidParameterValue.LimitVerifyFail", "Limit must be 1..100")
        taken = queue[:p["Limit"]]
        del queue[:p["Limit"]]
        return taken

    # -- HTTP --------------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if fake.delay:
                    time.sleep(fake.delay)
                request_id = str(uuid.uuid4())
                action = self.headers.get("X-TC-Action", "")
                try:
                    action, params = fake.check(self.headers, body)
                    response = {**fake.answer(action, params), "RequestId": request_id}
                except ApiFailure as failure:
                    fake.refused.append((action, failure.code))
                    response = {"Error": {"Code": failure.code, "Message": failure.message}, "RequestId": request_id}
                data = json.dumps({"Response": response}, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
