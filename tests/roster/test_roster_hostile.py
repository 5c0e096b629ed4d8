"""Hostile files get a coded Chinese error, never a crash, a 5xx, a partial import or unbounded memory.

The corpus is made by tests/hostile_files.py (and listed in docs/import.md).
"""

import io
import json
import os
import re
import resource
import subprocess
import sys
import zipfile
from html import escape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import ImportBatch, ImportProblem, Person, RosterSnapshot
from roster import batches, import_check, sheetscan
from roster.reader import read_table
from roster.table import ReaderError
from support.hostile_files import CORPUS, ROW_CODES, column_letters, sparse_to_z_with_lying_dimension, xlsx
from support.import_files import TODAY

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
MEMORY_LIMIT = 3 << 29  # 1.5 GiB of address space for the process that reads the corpus
PEAK_LIMIT_MIB = 1024


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def nothing_imported() -> bool:
    """Say whether no snapshot and no person row exists."""
    return db.session.scalar(select(func.count(Person.id))) == 0 == db.session.scalar(
        select(func.count(RosterSnapshot.id)))


@pytest.mark.parametrize(("name", "filename", "make", "code"), CORPUS, ids=[c[0] for c in CORPUS])
def test_each_hostile_file_ends_with_its_coded_chinese_error_and_imports_nothing(ctx, tmp_path, name, filename,
                                                                                make, code):
    path = tmp_path / "upload"
    path.write_bytes(make())
    batch = batches.create_batch(db.session, str(path), os.path.basename(filename))
    db.session.commit()
    batch = import_check.validate_batch(db.session, batch.id, TODAY)
    if code in ROW_CODES:  # the file is read; the row is refused, naming its row and field
        problem = db.session.scalars(select(ImportProblem).where(ImportProblem.code == code)).first()
        assert batch.status == "previewed" and batch.rows_rejected >= 1
        assert problem.row >= 2 and problem.field and CJK.search(problem.message_zh)
        assert "\x00" not in problem.message_zh + (problem.value or "")
    else:
        assert (batch.status, batch.error_code) == ("failed", code)
        assert CJK.search(batch.error_message.split("\n")[0])
    assert nothing_imported()


def test_reading_the_corpus_stays_within_bounded_memory(tmp_path):
    # Each file is read to the end (or to its error) in a child process limited to 1.5 GiB of
    # address space: a file that made calamine allocate its dense range would kill it.
    paths = []
    for name, filename, make, _ in CORPUS:
        path = tmp_path / (name + os.path.splitext(filename)[1])
        path.write_bytes(make())
        paths.append(str(path))
    script = (
        "import json, resource, sys\n"
        "from roster.reader import open_table\n"
        "from roster.table import ReaderError\n"
        "codes = []\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        with open_table(path) as table:\n"
        "            codes.append(('read', sum(1 for _ in table.rows)))\n"
        "    except ReaderError as error:\n"
        "        codes.append((error.code, 0))\n"
        "print(json.dumps({'codes': codes, 'peak_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    done = subprocess.run([sys.executable, "-c", script, *paths], cwd=ROOT, capture_output=True, text=True,
                          preexec_fn=limit, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    expected = ["read" if code in ROW_CODES else code for _, _, _, code in CORPUS]
    assert [code for code, _ in result["codes"]] == expected
    assert result["peak_mib"] < PEAK_LIMIT_MIB


def lying_sheet_xml() -> bytes:
    """Return the XML of a sheet whose <dimension> says A1:A1 while its cells reach Z5."""
    data = xlsx({1: [("A1", "姓名")], 5: [("Z5", "x")]}, dimension="A1:A1")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_a_declared_dimension_that_lies_does_not_hide_the_real_extent():
    extent = sheetscan.scan_sheet([lying_sheet_xml()])
    assert extent.declared == (1, 1)
    assert (extent.last_row, extent.last_column, extent.rows, extent.columns) == (5, 26, 5, 26)


@pytest.mark.parametrize("where", [b'"Z5"', b"<c r", b"</row", b"Z5"])
def test_the_scan_finds_cells_whose_tags_are_cut_between_chunks(where):
    xml = lying_sheet_xml()
    cut = xml.index(where) + 2
    extent = sheetscan.scan_sheet([xml[:cut], xml[cut:]])
    assert (extent.last_row, extent.last_column) == (5, 26)


def test_a_sparse_sheet_is_refused_as_soon_as_the_scan_sees_its_size():
    with pytest.raises(sheetscan.SheetRefused) as caught:
        sheetscan.check_workbook(io.BytesIO(sparse_to_z_with_lying_dimension()))
    assert caught.value.code == "sheet_too_large" and "1,048,576 × 26" in caught.value.detail


def test_a_sheet_of_200_columns_is_read_and_201_is_refused():
    def wide(columns):
        letters = [column_letters(n) for n in range(1, columns + 1)]
        assert [sheetscan.column_number(ref) for ref in letters] == list(range(1, columns + 1))
        header = [(f"{ref}1", "姓名" if n == 1 else f"列{n}") for n, ref in enumerate(letters, start=1)]
        return xlsx({1: header, 2: [("A2", "张三")]})

    assert len(read_table(wide(200), "a.xlsx").headers) == 200
    with pytest.raises(ReaderError) as caught:
        read_table(wide(201), "a.xlsx")
    assert caught.value.code == "too_many_columns" and "201" in caught.value.message_zh


def test_a_csv_header_of_200_columns_with_trailing_blanks_is_not_refused():
    header = ",".join(["姓名", "身份证号"] + [f"c{n}" for n in range(198)] + [""] * 50)
    table = read_table((header + "\r\n张三,1\r\n").encode(), "a.csv")
    assert table.headers[0] == "姓名"


# --- through the page and the API ---------------------------------------------------------------

THROUGH_THE_APP = [c for c in CORPUS if c[0] in ("zip-bomb", "sparse-xfd", "binary-as-csv", "mixed-encodings")]


@pytest.fixture
def app(make_app):
    return make_app(JOBS_IN_BACKGROUND=False)


@pytest.mark.parametrize(("name", "filename", "make", "code"), THROUGH_THE_APP, ids=[c[0] for c in THROUGH_THE_APP])
def test_upload_through_the_page_shows_the_coded_error(login_as, session, app, name, filename, make, code):
    client = login_as("coordinator")
    response = client.post("/roster/imports", data={"file": (io.BytesIO(make()), filename), "county": ""},
                           content_type="multipart/form-data")
    assert response.status_code < 400
    page = client.get(response.location)
    assert page.status_code == 200
    batch = session.scalars(select(ImportBatch)).one()
    assert (batch.status, batch.error_code) == ("failed", code)
    assert escape(batch.error_message.split("\n")[0], quote=False) in page.data.decode()
    assert os.path.basename(filename) in batch.error_message  # the name the user gave, not the stored one
    assert batch.stored_path == f"imports/{batch.fingerprint}{Path(filename).suffix}"  # relative to STORAGE_DIR
    stored = Path(app.config["STORAGE_DIR"], batch.stored_path).resolve()
    assert stored.is_file() and stored.parent == (Path(app.instance_path) / "storage" / "imports").resolve()
    assert "/" not in batch.filename
    assert session.scalar(select(func.count(Person.id))) == 0


@pytest.mark.parametrize(("name", "filename", "make", "code"), THROUGH_THE_APP, ids=[c[0] for c in THROUGH_THE_APP])
def test_upload_through_the_api_ends_failed_with_the_code(token_client, session, name, filename, make, code):
    client = token_client("coordinator")
    response = client.post("/api/v1/imports", data={"file": (io.BytesIO(make()), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 202
    batch = response.get_json()
    assert (batch["status"], batch["error_code"]) == ("failed", code)
    assert CJK.search(batch["error_message"])
    assert session.scalar(select(func.count(RosterSnapshot.id))) == 0
