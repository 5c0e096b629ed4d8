"""Names of downloaded files: Chinese, as people file them (抽样名单-<campaign>-<YYYYMMDD>.xlsx), and
the Content-Disposition header that carries them (RFC 6266 / RFC 5987, with an ASCII fallback)."""

import re
from datetime import date
from urllib.parse import quote

# Characters Windows, macOS or Linux refuse in a file name, and control characters.
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def clean_part(text: str) -> str:
    """Drop what a file name may not hold; keep Chinese and the rest of the text."""
    return _NOT_IN_NAMES.sub("", str(text)).strip(" .")


def file_name(parts, day: date, ext: str) -> str:
    """Join the non-empty parts and the date (YYYYMMDD) with hyphens, e.g. 抽样名单-2026年核查-20261202.xlsx."""
    kept = [clean_part(p) for p in parts if p]
    return "-".join([p for p in kept if p] + [day.strftime("%Y%m%d")]) + f".{ext}"


def attachment(name: str, fallback: str) -> dict:
    """Return the Content-Disposition header of a download named `name` (any script), with `fallback`
    (made ASCII) for clients that do not read filename*."""
    plain = _NOT_ASCII_SAFE.sub("-", fallback).strip("-") or "download"
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"}
