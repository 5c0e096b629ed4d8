"""Words with two meanings carry a gettext context, so that each meaning gets its own Chinese.

In this domain 注销 means de-registration: no state of an import batch, a task, a sample unit or a
rectification item may be translated with it.
"""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"

# (context, msgid) pairs that read alike in English but mean different things.
DIFFERENT_MEANINGS = [
    (("action", "Open"), ("units", "Open")),
    (("action", "Open"), ("tasks", "Open")),
    (("units", "Open"), ("tasks", "Open")),
    (("import batch", "Cancelled"), ("registration", "Cancelled")),
]


@pytest.fixture(scope="module")
def catalogue():
    with CATALOGUE.open("rb") as source:
        return read_po(source)


def translation(catalogue, context, msgid) -> str:
    message = catalogue.get(msgid, context=context)
    assert message is not None and message.string, f"no translation of ({context!r}, {msgid!r})"
    return message.string


@pytest.mark.parametrize(("one", "other"), DIFFERENT_MEANINGS)
def test_words_with_different_meanings_do_not_share_a_translation(catalogue, one, other):
    assert translation(catalogue, *one) != translation(catalogue, *other)


def test_open_as_a_button_is_not_a_state(catalogue):
    assert translation(catalogue, "action", "Open") == "查看"
    assert translation(catalogue, "units", "Open") == "未结"


def test_only_a_registration_is_cancelled_as_de_registration(catalogue):
    assert translation(catalogue, "registration", "Cancelled") == "已注销"
    assert translation(catalogue, "import batch", "Cancelled") == "已取消"


def test_no_ambiguous_word_is_left_without_a_context(catalogue):
    for msgid in ("Open", "Cancelled"):
        message = catalogue.get(msgid)
        assert message is None or not message.string, f"{msgid!r} is still translated without a context"


def test_no_batch_task_unit_or_item_state_reads_as_de_registration(app):
    from campaigns.export import ROLES, STATUSES
    from config.dispositions import TASK_STATUSES
    from reports.labels import RECTIFICATION_STATUSES
    from roster.labels import BATCH_STATUS_LABELS

    with app.test_request_context():
        labels = [str(v) for table in (BATCH_STATUS_LABELS, RECTIFICATION_STATUSES, STATUSES, ROLES)
                  for v in table.values()]
        labels += [zh for _code, zh, _en in TASK_STATUSES]
        assert labels and all("注销" not in label for label in labels), labels
        assert str(BATCH_STATUS_LABELS["cancelled"]) == "已取消"
