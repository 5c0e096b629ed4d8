"""Counties: the strata of every sample, identified by their administrative division code."""

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.orm import Base


class County(Base):
    __tablename__ = "county"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    official: Mapped[bool] = mapped_column(default=True)  # False: local code, not in GB/T 2260
    active: Mapped[bool] = mapped_column(default=True)
    # The code the county's own employment systems use, where it differs from the division code.
    local_code: Mapped[str | None] = mapped_column(String(32))

    def name(self, locale: str) -> str:
        """Return the county's name in the given locale."""
        return self.name_zh if str(locale).startswith("zh") else self.name_en


def county_name(code: str) -> str:
    """Return a county's name in the page's language (its code when unknown)."""
    return county_names().get(code, code)


def county_names() -> dict[str, str]:
    """Return every county's name in the page's language, read once per request (or app context).

    An export names the county on each of its thousands of rows; the session's identity map does not
    keep County objects alive between rows, so a lookup per row would be a query per row.
    """
    from flask import g

    from core.extensions import db
    from core.i18n import lang

    language = lang()
    cached = g.get("county_names")
    if cached is None or cached[0] != language:
        names = {county.code: county.name(language) for county in db.session.scalars(select(County))}
        g.county_names = cached = (language, names)
    return cached[1]
