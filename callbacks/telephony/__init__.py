"""Telephony: the dialling provider (`provider.py`), Twilio click-to-call (`calls.py` does the work,
`click_to_call.py` and `settings_routes.py` are the caller's and the admin's pages on the "calls"
blueprint of `blueprint.py`, `twilio_webhooks.py` answers Twilio) and Twilio's REST client."""
