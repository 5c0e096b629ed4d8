"""Printing checks of generated documents: LibreOffice (Debian package) converts DOCX to PDF, poppler reads it.

Without LibreOffice the tests skip, except where SPOTCHECK_REQUIRE_BROWSER is set (CI), where they fail.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
POINTS_PER_MM = 72 / 25.4


def require_office() -> None:
    """Skip the test without LibreOffice and poppler (fail instead in CI)."""
    missing = [name for name, found in (("libreoffice", SOFFICE), ("pdftotext", shutil.which("pdftotext")),
                                        ("pdftoppm", shutil.which("pdftoppm"))) if not found]
    if not missing:
        return
    if os.environ.get("SPOTCHECK_REQUIRE_BROWSER"):
        pytest.fail(f"{', '.join(missing)} missing but SPOTCHECK_REQUIRE_BROWSER is set")
    pytest.skip(f"{', '.join(missing)} missing (apt-get install libreoffice-writer poppler-utils fonts-noto-cjk)")


def to_pdf(docx_path: Path) -> Path:
    """Convert a DOCX to PDF beside it with headless LibreOffice (its own profile, so runs never collide)."""
    profile = docx_path.parent / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(docx_path.parent), str(docx_path)], check=True, capture_output=True, timeout=180)
    return docx_path.with_suffix(".pdf")


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Return each page's width and height in points (pdfinfo)."""
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def words(pdf: Path) -> list[dict]:
    """Return every word with its page and box in points (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    result, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if found:
            x0, y0, x1, y1 = (float(v) for v in found.groups()[:4])
            result.append({"page": page, "x0": x0, "y0": y0, "x1": x1, "y1": y1, "text": found.group(5)})
    return result


def text(pdf: Path) -> str:
    """Return the PDF's text in reading order (pdftotext)."""
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def page_lines(pdf: Path, page: int) -> list[str]:
    """Return the lines of one page as pdftotext lays them out, spaces between CJK characters removed."""
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def to_png(pdf: Path, target: Path, page: int = 1, dpi: int = 60) -> Path:
    """Render one page to PNG (pdftoppm) at `target` (without its .png, which pdftoppm adds)."""
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(target)], check=True, capture_output=True, timeout=60)
    return target.with_suffix(".png")
