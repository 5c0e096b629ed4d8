"""A fake Twilio on 127.0.0.1: the part of the REST API the app uses, and the webhooks Twilio makes.

The real twilio client is pointed at it (TWILIO_API_BASE). After creating a call it plays a scenario
against the app's webhooks, each request signed with the auth token exactly as Twilio signs:
the caller's phone rings and answers, the app's TwiML is fetched and its <Dial> followed, and the
person's leg ends as the scenario says (completed, busy, no-answer, failed).
"""

import base64
import json
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import requests
from twilio.request_validator import RequestValidator

# A made-up account and two US numbers (Twilio will not call mainland China numbers).
SID, TOKEN = "AC" + "0123456789abcdef" * 2, "fake-auth-token"
US_PERSON, US_CALLER = "+14155550123", "+14155550199"

PERSON_DURATION = {"completed": 95}


class FakeTwilio:
    """Serve the fake API in a thread; inspect `calls` and `webhooks` after a scenario."""

    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.calls: dict[str, dict] = {}
        self.webhooks: list[tuple[str, dict, int]] = []  # (url, params, status of the app's answer)
        self.person_outcome = "completed"  # how the leg to the person ends
        self.caller_answers = True  # does the caller pick up their own phone
        self.fail_next: tuple[int, int] | None = None  # (HTTP status, Twilio error code)
        self.delay = 0.0  # seconds to wait before answering the API (to test timeouts)
        self.done: dict[str, threading.Event] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait(self, call_sid: str, timeout: float = 15) -> None:
        """Block until the scenario of a call has played out."""
        assert self.done[call_sid].wait(timeout), f"scenario of {call_sid} did not finish"

    def sign(self, url: str, params: dict) -> str:
        return RequestValidator(self.auth_token).compute_signature(url, params)

    def post_webhook(self, url: str, params: dict, signature: str | None = "sign") -> requests.Response:
        """POST a webhook to the app, signed as Twilio signs (or with the signature given)."""
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = self.sign(url, params)
        elif signature:
            headers["X-Twilio-Signature"] = signature
        response = requests.post(url, data=params, headers=headers, timeout=10)
        self.webhooks.append((url, params, response.status_code))
        return response

    # -- the REST API ------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                if fake.delay:
                    time.sleep(fake.delay)
                expected = "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    return self._error(401, 20003, "Authenticate")
                if not self.path.startswith(f"/2010-04-01/Accounts/{fake.account_sid}/Calls.json"):
                    return self._error(404, 20404, "The requested resource was not found")
                if fake.fail_next:
                    status, code = fake.fail_next
                    fake.fail_next = None
                    return self._error(status, code, "Refused by the fake")
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                params = {key: values if len(values) > 1 else values[0] for key, values in form.items()}
                sid = "CA" + secrets.token_hex(16)
                fake.calls[sid] = params
                fake.done[sid] = threading.Event()
                body = {"sid": sid, "account_sid": fake.account_sid, "to": params.get("To"),
                        "from": params.get("From"), "status": "queued", "direction": "outbound-api",
                        "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Calls/{sid}.json"}
                self._send(201, body)
                threading.Thread(target=fake._play, args=(sid, params), daemon=True).start()

            def _error(self, status, code, message):
                self._send(status, {"code": code, "message": message, "status": status,
                                    "more_info": f"https://www.twilio.com/docs/errors/{code}"})

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    # -- the webhooks Twilio would make ------------------------------------------------------------

    def _play(self, sid: str, params: dict) -> None:
        try:
            status_url, voice_url = params["StatusCallback"], params["Url"]
            base = {"AccountSid": self.account_sid, "CallSid": sid, "From": params["From"], "To": params["To"],
                    "Direction": "outbound-api"}
            self.post_webhook(status_url, {**base, "CallStatus": "initiated"})
            self.post_webhook(status_url, {**base, "CallStatus": "ringing"})
            if not self.caller_answers:
                self.post_webhook(status_url, {**base, "CallStatus": "no-answer", "CallDuration": "0"})
                return
            twiml = self.post_webhook(voice_url, {**base, "CallStatus": "in-progress"}).text
            self.post_webhook(status_url, {**base, "CallStatus": "in-progress"})
            dial = ET.fromstring(twiml).find("Dial")
            if dial is None:  # TwiML that only speaks (a test call): the call ends after it
                self.post_webhook(status_url, {**base, "CallStatus": "completed", "CallDuration": "8"})
                return
            outcome = self.person_outcome
            self.post_webhook(dial.get("action"), {
                **base, "CallStatus": "in-progress", "DialCallSid": "CA" + secrets.token_hex(16),
                "DialCallStatus": outcome, "DialCallDuration": str(PERSON_DURATION.get(outcome, 0)),
            })
            self.post_webhook(status_url, {**base, "CallStatus": "completed",
                                           "CallDuration": str(PERSON_DURATION.get(outcome, 0) + 12)})
        finally:
            self.done[sid].set()
