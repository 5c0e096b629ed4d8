"""Telephony providers behind one small interface. `manual` (the default, needs nothing): the caller
dials from a `tel:` link on a softphone or mobile, after the reveal of the full number is logged.
Other providers (Twilio click-to-call, a domestic carrier or PBX) implement the same interface.
"""

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class DialAction:
    """What the caller's page does to start a call."""

    kind: str  # "link": open `href`
    href: str
    number: str


class ManualProvider:
    """The caller dials the number themselves."""

    name = "manual"

    def dial(self, number: str) -> DialAction:
        """Return a tel: link for the number (E.164 as stored)."""
        return DialAction("link", "tel:" + number, number)


# Click-to-call providers (Twilio, Tencent CCC) add a button beside the link: the tel: link stays on
# the page, so that the caller can always dial by hand when a placed call fails.
PROVIDERS = {"manual": ManualProvider, "twilio": ManualProvider, "tencent_ccc": ManualProvider}


def provider():
    """Return the configured provider (TELEPHONY_PROVIDER)."""
    name = current_app.config.get("TELEPHONY_PROVIDER", "manual")
    if name not in PROVIDERS:
        raise RuntimeError(f"unknown TELEPHONY_PROVIDER {name!r}; known: {', '.join(PROVIDERS)}")
    return PROVIDERS[name]()
