"""Which files may be evidence: the type is read from the content, and active or packed content is refused."""

import io
import zipfile

import pytest

from evidence.filetypes import DOCX, JPEG, PDF, PNG, XLSX, Refusal, sniff


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def office(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


@pytest.mark.parametrize("data, expected", [
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", PDF),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, PNG),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 20, JPEG),
    (office({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"}), XLSX),
    (office({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<document/>"}), DOCX),
])
def test_the_allowed_types_are_known_by_their_content(tmp_path, data, expected):
    # The name says .txt: only the content counts.
    assert sniff(write(tmp_path, "anything.txt", data)) == expected


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"<html><script>alert(1)</script></html>", "unknown_type"),
    (b"MZ\x90\x00 a Windows program", "unknown_type"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "unknown_type"),
    (b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj", "active_pdf"),
    (b"%PDF-1.4\n1 0 obj << /S /Launch /F (cmd.exe) >> endobj", "active_pdf"),
    (office({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<w/>", "xl/vbaProject.bin": b"x"}), "macros"),
    (office({"[Content_Types].xml": CONTENT_TYPES.replace(b"/>", b"macroEnabled/>"), "word/document.xml": b"<d/>"}),
     "macros"),
    (office({"readme.txt": b"a plain zip"}), "unknown_type"),
    (b"PK\x03\x04 not really a zip", "broken_archive"),
])
def test_anything_else_is_refused_with_its_reason(tmp_path, data, reason):
    with pytest.raises(Refusal) as refused:
        sniff(write(tmp_path, "file.pdf", data))
    assert refused.value.code == reason


def test_a_script_name_split_across_two_read_blocks_is_still_found(tmp_path):
    data = b"%PDF-1.4\n" + b" " * ((1 << 20) - 9 - 4) + b"/JavaScript"
    with pytest.raises(Refusal):
        sniff(write(tmp_path, "split.pdf", data))


def test_an_archive_that_unpacks_to_far_more_than_it_weighs_is_refused(tmp_path):
    bomb = office({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"\x00" * (201 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(Refusal) as refused:
        sniff(write(tmp_path, "bomb.xlsx", bomb))
    assert refused.value.code == "broken_archive"
