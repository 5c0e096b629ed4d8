"""Put a document together: the wording template filled in, the generated body in place of {{ body }},
the GB/T 9704 page setup over all of it; return the DOCX bytes."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta

import docx

from documents import layout, wording
from documents.content import chinese_date


def period_text(campaign, today: date) -> str:
    """Say when the verification ran: the campaign's period, else up to today."""
    start, end = campaign.period_start, campaign.period_end
    if start and end:
        return f"{chinese_date(start)}至{chinese_date(end)}"
    return f"{chinese_date(start)}至{chinese_date(today)}" if start else f"{today.year}年"


def compose(session, kind: str, context: dict, write_body: Callable) -> bytes:
    """Fill the kind's template with `context` and write the body with `write_body(doc)` where {{ body }} is."""
    document, marker = wording.render(wording.current_template(session, kind), context)
    scratch = docx.Document()  # the body is written here, then moved into place (python-docx appends only)
    write_body(scratch)
    body_elements = [el for el in scratch.element.body if not el.tag.endswith("}sectPr")]
    if marker is None:
        marker = document.add_paragraph()
    for element in body_elements:
        if element.tag.endswith("}p"):
            _copy_images(scratch, document, element)
        marker._p.addprevious(element)
    marker._p.getparent().remove(marker._p)
    layout.apply_page_setup(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _copy_images(source, target, element) -> None:
    """Give the target document the images a moved paragraph shows, under new relationship ids."""
    from docx.oxml.ns import qn

    for blip in element.iter(qn("a:blip")):
        old = blip.get(qn("r:embed"))
        if not old:
            continue
        image_part = source.part.related_parts[old]
        new_id, _image = target.part.get_or_add_image(io.BytesIO(image_part.blob))
        blip.set(qn("r:embed"), new_id)


def base_context(campaign, issuer: str, today: date, reply_days: int = 30) -> dict:
    """Return the placeholders every document fills."""
    return {"campaign_name": campaign.name, "issuer": issuer, "issued_on": chinese_date(today),
            "period": period_text(campaign, today), "reply_by": chinese_date(today + timedelta(days=reply_days)),
            "county_name": ""}
