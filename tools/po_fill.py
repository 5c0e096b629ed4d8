"""Fill msgstr entries of a .po catalogue from a JSON object {msgid: translation}.

Used by developers when adding strings: `python tools/po_fill.py translations/zh_Hans_CN/LC_MESSAGES/messages.po
new.json`. Existing translations are overwritten only when the JSON gives a new one.
"""

import json
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, json_path: str) -> None:
    """Merge the translations into the catalogue and report what is still missing."""
    with open(po_path, "rb") as fh:
        catalog = read_po(fh)
    with open(json_path, encoding="utf-8") as fh:
        table = json.load(fh)
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in table:
            # Chinese has one plural form, so a plural entry takes the same single string.
            message.string = table[key] if isinstance(message.id, str) else (table[key],)
            message.flags.discard("fuzzy")
    with open(po_path, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(missing)} untranslated", *missing[:20], sep="\n  ")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
