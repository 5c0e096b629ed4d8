"""Counties: the strata of every sample, identified by their administrative division code."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.orm import Base


class County(Base):
    __tablename__ = "county"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    official: Mapped[bool] = mapped_column(default=True)  # False: local code, not in GB/T 2260
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        """Return the county's name in the given locale."""
        return self.name_zh if str(locale).startswith("zh") else self.name_en


def county_name(code: str) -> str:
    """Return a county's name in the page's language (its code when unknown)."""
    from core.extensions import db
    from core.i18n import lang

    county = db.session.get(County, code)  # identity map: one query per county per request
    return code if county is None else county.name(lang())
