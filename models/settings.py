"""Settings the administrator changes on the settings pages: the stored value of each, and its history."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.orm import Base, utcnow


class StoredSetting(Base):
    """The value an administrator gave one setting (a plain JSON value, checked by its rule object)."""

    __tablename__ = "stored_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict | list | str | float | int | bool | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class SettingChange(Base):
    """One change of a stored setting: who, when, the value before and after.

    Its highest id is the settings' version: every worker compares it with the version it read last
    and reloads the values only when it has moved.
    """

    __tablename__ = "setting_change"
    __table_args__ = (Index("ix_setting_change_key", "key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict | list | str | float | int | bool | None] = mapped_column(JSON)
    after: Mapped[dict | list | str | float | int | bool | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    username: Mapped[str] = mapped_column(String(64), default="")
