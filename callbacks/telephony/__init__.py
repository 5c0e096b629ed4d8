"""Telephony: how a caller dials (`provider.py`), click-to-call through Twilio or a Tencent Cloud
Contact Center dual call, and SMS advance notices through Tencent Cloud SMS.

Services: `calls.py` places calls (either provider) and builds Twilio's webhook URLs, `call_progress.py`
stores what Twilio reports, `twilio_client.py` talks to Twilio's REST API; `tencent_client.py` builds
the official Tencent SDK clients (endpoint, timeout, rate limit, errors in Chinese), `ccc_client.py`
places dual calls and reads call records, `ccc_records.py` stores those records (a scheduler sweep);
`sms_client.py` sends and pulls SMS, `notices.py` decides who gets a notice and sends it,
`notice_sweeps.py` sends the automatic notices and applies receipts and replies, `notice_figures.py`
reads what the notices did, `notice_access.py` and `agents.py` serve the pages and the API.
Entry points: `pages/`, the "calls" blueprint with the caller's click-to-call
(`pages/click_to_call.py`), the admin's settings page (`pages/settings.py`) and the coordinators' SMS
notice page (`pages/notices.py`), and `twilio_webhooks.py` (Twilio's signed callbacks).
"""
