"""Evidence of a county's entry on a checklist item (佐证材料): files kept by the evidence store, by SHA-256,
type-checked and only ever downloaded. Attaching to an item without an entry yet starts its entry."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from auth.scope import check_campaign, check_county
from checklists.errors import ChecklistError
from core.clock import now
from core.extensions import db
from evidence.store import EvidenceError, attach
from models import Attachment, ChecklistEntry, ChecklistItem

OWNER = "checklist_entry"


def attach_file(campaign, county_code: str, item: ChecklistItem, upload, user) -> Attachment:
    """Keep an uploaded file as evidence of the county's entry on the item, in one write transaction."""
    check_campaign(campaign, user)
    check_county(county_code, user)
    if item.campaign_id != campaign.id or item.retired_at is not None:
        raise ChecklistError({"item": _("This item is not on the checklist.")}, 404, "not_found")
    if upload is None or not upload.filename:
        raise ChecklistError({"file": _("Choose a file to attach.")})
    with db.write_transaction() as session:
        entry = session.scalar(select(ChecklistEntry).where(ChecklistEntry.item_id == item.id,
                                                            ChecklistEntry.county_code == county_code))
        if entry is None:
            entry = ChecklistEntry(campaign_id=campaign.id, item_id=item.id, county_code=county_code, findings="",
                                   ledger_ref="", created_at=now(), updated_at=now())
            session.add(entry)
            session.flush()
        elif entry.signed_off_at is not None:
            raise ChecklistError({"file": _("This entry is signed off: reopen it to change it.")}, 409, "signed_off")
        try:
            return attach(session, user=user, owner_type=OWNER, owner_id=entry.id, county_code=county_code,
                          upload=upload, now=now())
        except EvidenceError as error:
            raise ChecklistError({"file": error.message}, error.status, error.code) from None


def files_by_entry(session, entry_ids: list[int]) -> dict[int, list[Attachment]]:
    """Return the files attached to each of the entries (not those taken off), oldest first."""
    if not entry_ids:
        return {}
    rows = session.scalars(select(Attachment).where(Attachment.owner_type == OWNER,
                                                    Attachment.owner_id.in_(entry_ids),
                                                    Attachment.removed_at.is_(None))
                           .order_by(Attachment.uploaded_at, Attachment.id))
    result: dict[int, list[Attachment]] = {}
    for row in rows:
        result.setdefault(row.owner_id, []).append(row)
    return result
