"""Telephony: how a caller dials (`provider.py`) and Twilio click-to-call.

Services: `calls.py` places calls and builds the webhook URLs, `call_progress.py` stores what Twilio
reports, `twilio_client.py` talks to Twilio's REST API. Entry points: `click_to_call.py` (the caller)
and `settings_routes.py` (the admin) on the "calls" blueprint of `blueprint.py`, and
`twilio_webhooks.py` (Twilio's signed callbacks).
"""
