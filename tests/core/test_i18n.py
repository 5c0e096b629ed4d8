"""Chinese by default, English on request, and no string left untranslated."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_pages_are_chinese_until_english_is_chosen(login_as):
    client = login_as("coordinator")
    assert "失业登记人员名册" in client.get("/roster/").data.decode()
    client.get("/lang/en")
    page = client.get("/roster/").data.decode()
    assert "Roster of registered unemployed persons" in page and '<html lang="en">' in page
    client.get("/lang/zh_Hans_CN")
    assert "失业登记人员名册" in client.get("/roster/").data.decode()


def test_unknown_language_is_ignored(client):
    client.get("/lang/xx")
    assert "登录" in client.get("/login").data.decode()


def test_every_string_in_the_code_has_a_chinese_translation():
    """Fail when a new user-facing string is not in the zh_Hans_CN catalogue (run `make i18n`)."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=keywords,
        callback=None, strip_comment_tags=False,
        directory_filter=lambda path: not any(part in path for part in (".venv", "tests", "bench", "node_modules")),
    ):
        found.add(message if isinstance(message, str) else message[0])
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string
                  and "fuzzy" not in m.flags}
    missing = sorted(found - translated)
    assert missing == [], f"untranslated strings: {missing[:15]}"
