"""Translations: Simplified Chinese by default, English on request.

Babel reads `zh_CN` as `zh_Hans_CN`, so the Chinese catalogue lives in translations/zh_Hans_CN.
"""

from typing import TypeVar

from flask import has_request_context, session
from flask_babel import get_locale

from config import codelists

T = TypeVar("T")

LANGUAGE_NAMES = {"zh_Hans_CN": "中文", "en": "English"}


def select_locale() -> str:
    """Use the language the user chose in this session, else Chinese."""
    from flask import current_app

    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return str(chosen)
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def is_chinese() -> bool:
    """Tell whether the current page is shown in Chinese."""
    return str(get_locale()).startswith("zh")


def lang() -> str:
    """Return "zh" or "en": the language of the labels the pure core keeps as (zh, en) pairs."""
    return "zh" if is_chinese() else "en"


def label(codelist: str | tuple, code: str | None) -> str:
    """Return a code's label in the page's language; codelist is a table of config/ or its name there."""
    table = codelists.BY_NAME[codelist] if isinstance(codelist, str) else codelist
    return codelists.label(table, code, lang())


def pick(zh: T, en: T) -> T:
    """Choose between a message stored in both languages (Chinese, English) by the page's language."""
    return zh if is_chinese() else (en or zh)


def html_lang() -> str:
    """Return the value of the page's lang attribute."""
    return "zh-CN" if is_chinese() else "en"


def init_i18n(app, babel) -> None:
    """Bind Flask-Babel with our locale selector and expose helpers to templates."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale, default_timezone=app.config["TIMEZONE"])
    app.jinja_env.globals.update(html_lang=html_lang, is_chinese=is_chinese, label=label, lang=lang, pick=pick, LANGUAGE_NAMES=LANGUAGE_NAMES)
