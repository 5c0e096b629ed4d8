"""Checking rows in worker processes gives exactly what checking them in the importer's process gives."""

import codecs
import csv
import logging
import os
import pickle
import subprocess
import sys
from datetime import date
from itertools import chain

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.extensions import db
from models import ImportProblem
from roster import batches, checking, csv_reader, import_check, import_commit
from roster.checking import RowChecker, checked_chunks, record_digest, row_chunks
from roster.columns import map_headers
from roster.csv_reader import CsvLines, csv_line_chunks
from roster.reader import open_table
from roster.spool import read_spool
from roster.table import ReaderError, is_blank
from support.checking_helpers import (
    DyingAfterSpoolingChecker,
    DyingChecker,
    NicenessReportingChecker,
    spooled,
)
from support.import_files import TODAY, csv_file, demo_rows


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def messy_rows(total=400, seed=11):
    """Demo rows over several counties with errors, warnings and repeated ID numbers mixed in."""
    rows = demo_rows(total, seed=seed)
    for i in range(0, total, 37):
        rows[i] = dict(rows[i], id_number=rows[i]["id_number"][:-1] + "0")  # check digit usually wrong
    for i in range(5, total, 53):
        rows[i] = dict(rows[i], registered_on=date(2031, 1, 1))  # in the future: an error
    for i in range(9, total, 61):
        rows[i] = dict(rows[i], phone=None)  # missing phone: a warning
    for i in range(3, total, 71):
        rows[i + 1] = dict(rows[i + 1], id_number=rows[i]["id_number"], county_code=rows[i]["county_code"])
    return rows


def quoted_csv(path, rows):
    """Write rows as CSV with every field quoted, as some systems export them."""
    plain = csv_file(str(path) + ".plain.csv", rows)
    with open(plain, encoding="utf-8-sig", newline="") as source:
        table = list(csv.reader(source))
    with open(path, "w", encoding="utf-8-sig", newline="") as target:
        csv.writer(target, quoting=csv.QUOTE_ALL).writerows(table)
    return str(path)


def validated(app, path, workers, name):
    """Validate a file as a new batch with the given workers; return everything the batch produced."""
    batch = batches.create_batch(db.session, path, name)
    db.session.commit()
    batch = import_check.validate_batch(db.session, batch.id, TODAY, workers=workers, parallel_from_rows=1)
    problems = db.session.execute(
        select(ImportProblem.row, ImportProblem.field, ImportProblem.code, ImportProblem.value)
        .where(ImportProblem.batch_id == batch.id).order_by(ImportProblem.id)
    ).all()
    counts = {name: getattr(batch, name) for name in (
        "status", "rows_read", "rows_rejected", "rows_warned", "added", "updated", "unchanged", "removed",
        "duplicates", "counties")}
    records = [record for chunk in read_spool(batches.spool_path(batch)) for record in chunk]
    return batch, counts, problems, records


def test_workers_give_the_same_counts_problems_and_records(ctx, tmp_path, small_chunks):
    path = csv_file(tmp_path / "roster.csv", messy_rows())
    with open(path, encoding="utf-8-sig") as handle:
        assert '"' not in handle.read()  # quote-free: the workers get lines and parse them
    _, serial, serial_problems, serial_records = validated(ctx, path, 0, "a.csv")
    _, parallel, parallel_problems, parallel_records = validated(ctx, path, 2, "b.csv")
    assert serial["status"] == "previewed" and serial["rows_rejected"] > 10 and serial["rows_warned"] > 0
    assert serial["duplicates"] > 3
    assert parallel == serial
    assert parallel_problems == serial_problems
    assert parallel_records == serial_records


def test_a_quoted_file_goes_to_the_workers_as_parsed_rows_with_the_same_outcome(ctx, tmp_path, small_chunks):
    path = quoted_csv(tmp_path / "quoted.csv", messy_rows(200, seed=3))
    _, serial, serial_problems, serial_records = validated(ctx, path, 0, "a.csv")
    _, parallel, parallel_problems, parallel_records = validated(ctx, path, 2, "b.csv")
    assert (parallel, parallel_problems, parallel_records) == (serial, serial_problems, serial_records)


def test_a_new_version_is_compared_with_the_roster_alike_in_workers(ctx, tmp_path, small_chunks):
    rows = messy_rows(300, seed=8)
    batch, *_ = validated(ctx, csv_file(tmp_path / "v1.csv", rows), 0, "v1.csv")
    import_commit.commit_batch(db, batch.id)
    changed = [dict(r, residence_address=r["residence_address"] + "附1号") if i % 9 == 0 else r
               for i, r in enumerate(rows[:-20])]
    path = csv_file(tmp_path / "v2.csv", changed)
    _, serial, *_ = validated(ctx, path, 0, "a.csv")
    _, parallel, *_ = validated(ctx, path, 2, "b.csv")
    assert serial["updated"] > 20 and serial["unchanged"] > 100 and serial["removed"] > 0
    assert parallel == serial


def merged(chunks) -> dict:
    """What a list of checked chunks says, all chunks together."""
    together: dict = {"counties": [], "keys": [], "digests": [], "row_numbers": [], "problems": [],
                      "read": 0, "rejected": 0, "warned": 0}
    for chunk in chunks:
        for name, value in together.items():
            together[name] = value + getattr(chunk, name)
    return together


def test_a_worker_killed_mid_file_leaves_its_rows_to_this_process(tmp_path, small_chunks, caplog):
    path = csv_file(tmp_path / "roster.csv", messy_rows(300))
    table = open_table(path)
    known = frozenset(r["county_code"] for r in demo_rows(300))
    args = (map_headers(table.headers), TODAY, known, None)
    expected = list(checked_chunks(row_chunks(table.rows), RowChecker(*args)))
    table.close()
    dying = DyingChecker(*args, die_at_row=150, parent_pid=os.getpid())
    table = open_table(path)
    with caplog.at_level(logging.WARNING, logger="roster.checking"):
        got = list(checked_chunks(csv_line_chunks(path, table, "roster.csv", checking.CHUNK_ROWS), dying, 2))
    table.close()
    assert "checking the rest of the file in this process" in caplog.text
    assert merged(got) == merged(expected)  # the chunks may be cut elsewhere; their rows are the same


def test_rows_a_dying_worker_spooled_are_left_out_and_checked_again_here(tmp_path, small_chunks, caplog):
    path = csv_file(tmp_path / "roster.csv", messy_rows(300))
    with open_table(path) as table:
        args = (map_headers(table.headers), TODAY, frozenset(r["county_code"] for r in demo_rows(300)), None)
    expected = spooled(path, RowChecker(*args), 0, tmp_path / "serial.spool")
    dying = DyingAfterSpoolingChecker(*args, die_at_row=150, parent_pid=os.getpid())
    with caplog.at_level(logging.WARNING, logger="roster.checking"):
        got = spooled(path, dying, 2, tmp_path / "parallel.spool")
    assert "checking the rest of the file in this process" in caplog.text
    assert len(expected) > 200 and got == expected  # each record once, in file order
    parts = [name for name in os.listdir(tmp_path / "parallel.spool") if name.startswith("part-")]
    assert len(parts) >= 2  # the workers' and this process's


def test_a_broken_line_found_by_a_worker_fails_the_batch_with_its_row(ctx, tmp_path, small_chunks):
    path = csv_file(tmp_path / "roster.csv", demo_rows(100))
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("李四,男," + "9" * (csv.field_size_limit() + 5) + "\n")  # a field over csv's limit
    with open(path, encoding="utf-8-sig") as handle:
        assert '"' not in handle.read()  # so the line is parsed in a worker
    batch = batches.create_batch(db.session, path, "roster.csv")
    db.session.commit()
    batch = import_check.validate_batch(db.session, batch.id, TODAY, workers=2, parallel_from_rows=1)
    assert batch.status == "failed" and batch.error_code == "csv_malformed"
    assert "第102行" in batch.error_message
    assert not os.path.exists(batches.spool_path(batch))
    assert not os.path.exists(batches.spool_path(batch) + ".part")


def test_lines_of_a_quote_free_file_are_exactly_its_rows(tmp_path):
    rows = demo_rows(60)
    path = csv_file(tmp_path / "gbk.csv", rows, encoding="gbk")
    with open(path, "rb") as handle:
        data = handle.read()
    # Title and blank lines before the header, blank lines and CRLF between rows: the table skips them.
    lines = data.split(b"\n")
    edited = [b"\xd5\xbf\xbd\xad\xca\xd0\xc3\xfb\xb2\xe1", b""] + lines[:10] + [b"", b" , ,"] + lines[10:]
    path = str(tmp_path / "edited.csv")
    with open(path, "wb") as handle:
        handle.write(b"\r\n".join(edited))
    with open_table(path) as table:
        assert table.encoding == "gb18030" and table.header_row == 3
        pieces = list(csv_line_chunks(path, table, "edited.csv", 7))
        assert list(chain.from_iterable(piece.rows() for piece in pieces)) == list(table.rows)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
@pytest.mark.parametrize("breaks", [b"\n", b"\r\n", b"\r", b"mixed"])
@pytest.mark.parametrize("size", [1, 3, 50])
def test_blocks_cut_from_the_bytes_are_exactly_the_tables_rows(tmp_path, encoding, breaks, size):
    header = ",".join(demo_rows(1)[0])
    text_lines = ["标题：湛江市失业登记名册", "", header] + [",".join(map(str, r.values())) for r in demo_rows(40)]
    text_lines[10:10] = ["", " , ,"]
    encoded = [line.encode({"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(encoding, encoding)) for line in text_lines]
    if encoding == "utf-16":
        newline = {b"\n": "\n", b"\r\n": "\r\n", b"\r": "\r", b"mixed": "\r\n"}[breaks].encode("utf-16-le")
        data = codecs.BOM_UTF16_LE + newline.join(encoded)
    elif breaks == b"mixed":  # as a file pasted together from two editors: each line its own break
        data = b"".join(line + (b"\r\n", b"\n", b"\r")[i % 3] for i, line in enumerate(encoded))
    else:
        data = breaks.join(encoded)  # and no break after the last line
    if encoding == "utf-8-sig":
        data = codecs.BOM_UTF8 + data
    path = str(tmp_path / "lines.csv")
    with open(path, "wb") as handle:
        handle.write(data)
    with open_table(path) as table:
        pieces = list(csv_line_chunks(path, table, "lines.csv", size))
        assert list(chain.from_iterable(piece.rows() for piece in pieces)) == list(table.rows)
    if size < 50 and breaks != b"\r":  # blocks are cut at \n only: a \r-only file is one block
        assert len(pieces) > 1


def test_a_line_too_long_found_in_a_block_names_its_row(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "MAX_LINE_CHARS", 2000)
    rows = [",".join(map(str, r.values())) for r in demo_rows(30)]
    rows[20] = rows[20] + "," + "长" * 2100
    path = str(tmp_path / "long.csv")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join([",".join(demo_rows(1)[0])] + rows) + "\n")
    with open_table(path) as table, pytest.raises(ReaderError) as refused:
        for piece in csv_line_chunks(path, table, "long.csv", 4):
            piece.rows()
    assert refused.value.code == "line_too_long" and refused.value.row == 22


def test_reader_errors_and_checked_chunks_survive_pickling():
    error = pickle.loads(pickle.dumps(ReaderError("csv_malformed", "a.csv", row=7, detail="x")))
    assert (error.code, error.row) == ("csv_malformed", 7) and "第7行" in error.message_zh
    lines = CsvLines(5, ["a,b\n", "\n", "c,d\n"], ",", "a.csv")
    assert pickle.loads(pickle.dumps(lines)).rows() == [(5, ["a", "b"]), (7, ["c", "d"])]


def test_record_digests_are_the_same_in_another_process():
    fields = ("张三", "1", "440802199001011234", None, "霞山区\u3000海滨路", "2026-01-02", None)
    script = "from roster.checking import record_digest; import sys; print(record_digest(eval(sys.argv[1])))"
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", script, repr(fields)], capture_output=True, text=True,
                             check=True, env=dict(os.environ, PYTHONHASHSEED=seed), cwd=os.getcwd())
        assert int(out.stdout) == record_digest(fields)
    assert record_digest(("a", None)) != record_digest(("a", ""))
    assert record_digest(("ab", "c")) != record_digest(("a", "bc"))


@pytest.mark.parametrize(("setting", "expected"), [("auto", min(os.cpu_count() or 1, 8)),
                                                   (None, min(os.cpu_count() or 1, 8)),
                                                   (0, 0), ("3", 3), (-1, 0), (32, 8)])
def test_the_workers_setting_reads_auto_or_a_number(setting, expected):
    assert checking.worker_count(setting) == expected


def test_small_files_are_checked_without_workers(ctx, tmp_path, monkeypatch):
    def no_workers(*args, **kwargs):
        raise AssertionError("a small file started worker processes")

    monkeypatch.setattr(checking, "_checked_by_workers", no_workers)
    batch = batches.create_batch(db.session, csv_file(tmp_path / "small.csv", demo_rows(50)), "s.csv")
    db.session.commit()
    batch = import_check.validate_batch(db.session, batch.id, TODAY, workers=2)  # 50 rows < PARALLEL_FROM_ROWS
    assert batch.status == "previewed" and batch.rows_read == 50


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=",;\t \x00\x1a\x0b\x0c\x85\u2028a中1", max_size=12), max_size=8),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r", ""]))
def test_quote_free_lines_are_split_as_the_csv_module_reads_them(texts, delimiter, newline):
    lines = [text + newline for text in texts]
    expected = [(number, values) for number, values in enumerate(csv.reader(lines, delimiter=delimiter), start=2)
                if not is_blank(values)]
    assert CsvLines(2, lines, delimiter, "a.csv").rows() == expected


def test_workers_run_at_a_lower_priority_than_the_importer(tmp_path, small_chunks):
    path = csv_file(tmp_path / "roster.csv", demo_rows(100))
    with open_table(path) as table:
        checker = NicenessReportingChecker(map_headers(table.headers), TODAY,
                                           frozenset(r["county_code"] for r in demo_rows(100)), None)
        reports = {tuple(chunk.counties) for chunk in checked_chunks(
            csv_line_chunks(path, table, "roster.csv", checking.CHUNK_ROWS), checker, 2)}
    mine = os.nice(0)
    assert {pid for pid, _ in reports}.isdisjoint({str(os.getpid())})  # all checked by the workers
    assert {int(niceness) for _, niceness in reports} == {min(19, mine + checking.WORKER_NICENESS)}
