"""Telephony: how a caller dials (`provider.py`) and Twilio click-to-call.

Services: `calls.py` places calls and builds the webhook URLs, `call_progress.py` stores what Twilio
reports, `twilio_client.py` talks to Twilio's REST API. Entry points: `pages/`, the "calls" blueprint
with the caller's click-to-call (`pages/click_to_call.py`) and the admin's settings page
(`pages/settings.py`), and `twilio_webhooks.py` (Twilio's signed callbacks).
"""
