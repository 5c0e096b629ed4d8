"""Which files may be evidence: the type is read from the content, never taken from the name.

Allowed: PDF, PNG, JPEG, XLSX and DOCX. Refused: everything else, Office files that carry macros,
PDFs that carry scripts, launch actions or embedded files, and archives that unpack to far more than
they weigh (zip bombs). Nothing here runs or renders a file; this only decides whether to keep it.
"""

import re
import zipfile
from dataclasses import dataclass

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", XLSX: "xlsx", DOCX: "docx"}

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 5000
# PDF names that make a reader act rather than show: scripts, launching programs, files inside.
ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


@dataclass(frozen=True)
class Refusal(Exception):
    """A file that cannot be evidence; `code` names the reason (see REASONS)."""

    code: str


REASONS = {
    "empty": ("文件为空", "The file is empty"),
    "too_large": ("文件超过大小上限", "The file is larger than the limit"),
    "unknown_type": ("只接受 PDF、PNG、JPEG、XLSX 或 DOCX 文件", "Only PDF, PNG, JPEG, XLSX or DOCX files are accepted"),
    "macros": ("含宏的 Office 文件不予接收，请另存为不含宏的格式", "Office files with macros are refused: save without macros"),
    "active_pdf": ("PDF 含脚本、启动命令或内嵌文件，不予接收，请重新打印为 PDF",
                   "The PDF carries scripts, launch actions or embedded files: print it to a new PDF"),
    "broken_archive": ("文件已损坏或不是有效的 Office 文件", "The file is damaged or not a valid Office file"),
}


def sniff(path: str) -> str:
    """Return the content type of the file at path, or raise Refusal with the reason."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise Refusal("empty")
    if head.startswith(b"%PDF-"):
        _check_pdf(path)
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(path)
    raise Refusal("unknown_type")


def _check_pdf(path: str) -> None:
    # Read in overlapping blocks so that a name split across two blocks is still seen.
    tail = b""
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            if ACTIVE_PDF.search(tail + block):
                raise Refusal("active_pdf")
            tail = block[-32:]


def _office_type(path: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                raise Refusal("broken_archive")
            names = {e.filename for e in entries}
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except zipfile.BadZipFile:
        raise Refusal("broken_archive") from None
    if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroEnabled" in content_types:
        raise Refusal("macros")
    if not content_types:
        raise Refusal("unknown_type")
    if "xl/workbook.xml" in names:
        return XLSX
    if "word/document.xml" in names:
        return DOCX
    raise Refusal("unknown_type")
