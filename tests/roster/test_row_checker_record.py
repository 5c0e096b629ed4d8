"""The row checker reads a row's values by position for the lean path: it must spool exactly what the
general path (a dict of the mapped fields through validate_row) gives, whatever the column layout."""

from hypothesis import given, settings
from hypothesis import strategies as st

from roster.checking import RECORD_FIELDS, RowChecker, spooled_record
from roster.columns import FIELD_NAMES, HeaderMapping
from roster.idnumber import birth_info
from roster.validate import validate_row
from support.roster_rows import KNOWN, LEAN_VARIANTS, TODAY, good_row

# Column layouts: the fields in order; shuffled among columns the mapping does not use; without a
# county column (the file's county given as the default).
IN_ORDER = {index: field for index, field in enumerate(FIELD_NAMES)}
SHUFFLED = {index * 2 + 1: field for index, field in enumerate(reversed(FIELD_NAMES))}
NO_COUNTY = {index: field for index, field in enumerate(f for f in FIELD_NAMES if f != "county_code")}
LAYOUTS = [(IN_ORDER, None), (IN_ORDER, "440802"), (SHUFFLED, None), (NO_COUNTY, "440802"), (NO_COUNTY, "440899")]


def through_validate_row(checker: RowChecker, number: int, values) -> tuple:
    """The reference: the mapped fields as a dict, validated, then spooled."""
    result = validate_row(checker._extract(values), number, checker.today, checker.known, checker.default_county)
    if result.record is None:
        return None, result.problems
    record = result.record
    clean = (*(record[field] for field in RECORD_FIELDS), birth_info(record["id_number"][6:14]))
    return spooled_record(number, clean), result.problems


def row_values(field_by_index: dict, raw: dict, cells: int) -> list:
    """Lay a row's {field: value} out in columns, unused columns holding noise, cut to `cells`."""
    width = max(field_by_index) + 2  # one more column than the mapping uses
    values = [f"其他{index}" for index in range(width)]
    for index, field in field_by_index.items():
        values[index] = raw.get(field)
    return values[:cells]


@settings(max_examples=400, deadline=None)
@given(st.fixed_dictionaries({field: st.sampled_from(values) for field, values in LEAN_VARIANTS.items()}),
       st.sampled_from(LAYOUTS), st.integers(min_value=0, max_value=30))
def test_the_positional_lean_path_spools_what_validate_row_gives(raw, layout, cells):
    field_by_index, default_county = layout
    checker = RowChecker(HeaderMapping(dict(field_by_index)), TODAY, KNOWN, default_county)
    values = row_values(field_by_index, raw, cells)
    assert checker.record(5, values) == through_validate_row(checker, 5, values)


def test_a_clean_row_is_spooled_from_the_lean_path_with_its_facts_and_digest():
    checker = RowChecker(HeaderMapping(dict(SHUFFLED)), TODAY, KNOWN, None)
    values = row_values(SHUFFLED, good_row(phone="", cancelled_on=""), 30)
    record, problems = checker.record(9, values)
    assert problems == []
    assert record == through_validate_row(checker, 9, values)[0]
    assert record[:2] == ("440802", 9) and record[5] is None  # county, row, ..., no phone
    assert record[-5:-1] == (True, False, False, "2053-01-01")  # missing phone only; born 1990, retires at 63


def test_a_row_shorter_than_the_mapping_reads_its_missing_cells_as_empty():
    checker = RowChecker(HeaderMapping(dict(IN_ORDER)), TODAY, KNOWN, None)
    full = row_values(IN_ORDER, good_row(cancelled_on=None), 30)
    cut = full[:FIELD_NAMES.index("cancelled_on")]  # the row stops before its cancellation date
    assert checker.record(3, cut) == checker.record(3, full)


def test_clean_rows_of_every_layout_take_the_lean_path(monkeypatch):
    def general_path(*args):
        raise AssertionError("a clean row went through validate_row")

    monkeypatch.setattr("roster.checking.validate_row", general_path)
    for field_by_index, default_county in LAYOUTS[:4]:
        checker = RowChecker(HeaderMapping(dict(field_by_index)), TODAY, KNOWN, default_county)
        for cells in (30, max(field_by_index) + 1):
            record, problems = checker.record(4, row_values(field_by_index, good_row(), cells))
            assert record is not None and problems == []
