"""Data quality stored with the persons: flags and the retirement day, indexed, filled for existing rows.

The quality page counted its flags by searching the whole current roster on every visit. From here on
they are written with each snapshot (and the cross-county flag kept up to date while snapshots are
current); this revision adds the columns and their partial indexes and fills them for the persons
already stored, in SQL, by the rules of the time:

- missing phone / address / reason: registered (no cancellation date) and the field empty;
- ID number twice in the same snapshot;
- registered in two counties: registered, in a current snapshot, and another county's current
  snapshot has a registered person with the same ID number (only current snapshots carry it);
- retirement day: the 2025 gradual retirement-age reform (men 60 + 1 month per 4 birth months from
  January 1965, up to 36; women on the cadre track 55 + 1 month per 4 birth months from January
  1970, up to 36) added to the birth date in the ID number, the day clamped to the month's end;
  none without gender 1 or 2, or without a real birth date 1900–2200 in digits 7–14.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

FLAGS = ('flag_missing_phone', 'flag_missing_address', 'flag_missing_reason', 'flag_duplicate_in_county',
         'flag_duplicate_across_counties')
# name, columns, condition on SQLite, on PostgreSQL
INDEXES = (
    *((f'ix_person_{flag}', ['snapshot_id'], f'{flag} = 1', flag) for flag in FLAGS),
    ('ix_person_registered_retirement', ['snapshot_id', 'retirement_on'], 'cancelled_on IS NULL',
     'cancelled_on IS NULL'),
    ('ix_person_cancelled', ['snapshot_id', 'cancelled_on'], 'cancelled_on IS NOT NULL', 'cancelled_on IS NOT NULL'),
)


def upgrade():
    for flag in FLAGS:
        op.add_column('person', sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('person', sa.Column('retirement_on', sa.Date(), nullable=True))
    _backfill(op.get_bind().dialect.name)
    for name, columns, sqlite_where, postgresql_where in INDEXES:
        op.create_index(name, 'person', columns, unique=False, sqlite_where=sa.text(sqlite_where),
                        postgresql_where=sa.text(postgresql_where))


def downgrade():
    for name, *_rest in INDEXES:
        op.drop_index(name, table_name='person')
    with op.batch_alter_table('person') as batch_op:
        for column in (*FLAGS, 'retirement_on'):
            batch_op.drop_column(column)


def _backfill(dialect):
    execute = op.execute
    for flag, empty in (('flag_missing_phone', "(phone IS NULL OR phone = '')"),
                        ('flag_missing_address', "(household_address IS NULL OR household_address = '') "
                                                 "AND (residence_address IS NULL OR residence_address = '')"),
                        ('flag_missing_reason', "(unemployment_reason IS NULL OR unemployment_reason = '')")):
        execute(f"UPDATE person SET {flag} = TRUE WHERE cancelled_on IS NULL AND {empty}")
    execute("UPDATE person SET flag_duplicate_in_county = TRUE WHERE (snapshot_id, id_number) IN ("
            "SELECT snapshot_id, id_number FROM person GROUP BY snapshot_id, id_number HAVING count(*) > 1)")
    current = "SELECT id FROM roster_snapshot WHERE is_current"
    execute(f"UPDATE person SET flag_duplicate_across_counties = TRUE WHERE cancelled_on IS NULL "
            f"AND snapshot_id IN ({current}) AND id_number IN ("
            f"SELECT id_number FROM person WHERE cancelled_on IS NULL AND snapshot_id IN ({current}) "
            f"GROUP BY id_number HAVING count(DISTINCT county_code) > 1)")
    if dialect == 'postgresql':
        digits = "substr(id_number, 7, 8) ~ '^[0-9]{8}$'"
    else:
        digits = "length(substr(id_number, 7, 8)) = 8 AND substr(id_number, 7, 8) NOT GLOB '*[^0-9]*'"
    execute(f"UPDATE person SET retirement_on = {_retirement_day(dialect)} "
            f"WHERE gender IN ('1', '2') AND {digits}")


def _days_in_month(year, month):
    leap = f"(({year}) % 4 = 0 AND (({year}) % 100 <> 0 OR ({year}) % 400 = 0))"
    return (f"(CASE WHEN {month} = 2 THEN (CASE WHEN {leap} THEN 29 ELSE 28 END) "
            f"WHEN {month} IN (4, 6, 9, 11) THEN 30 ELSE 31 END)")


def _retirement_day(dialect):
    """The retirement day of a person whose gender and 8 birth digits were checked (NULL for no real date)."""
    year, month, day = (f"CAST(substr(id_number, {start}, {length}) AS INTEGER)"
                        for start, length in ((7, 4), (11, 2), (13, 2)))
    after_first = f"(({year} - (CASE gender WHEN '1' THEN 1965 ELSE 1970 END)) * 12 + {month} - 1)"
    delay = (f"(CASE WHEN {after_first} < 0 THEN 0 WHEN {after_first} / 4 + 1 > 36 THEN 36 "
             f"ELSE {after_first} / 4 + 1 END)")
    months = f"({year} * 12 + {month} - 1 + (CASE gender WHEN '1' THEN 60 ELSE 55 END) * 12 + {delay})"
    r_year, r_month = f"({months} / 12)", f"({months} % 12 + 1)"
    last = _days_in_month(r_year, r_month)
    r_day = f"(CASE WHEN {day} > {last} THEN {last} ELSE {day} END)"
    if dialect == 'postgresql':
        made = f"make_date({r_year}, {r_month}, {r_day})"
    else:
        made = f"printf('%04d-%02d-%02d', {r_year}, {r_month}, {r_day})"
    real = f"{year} BETWEEN 1900 AND 2200 AND {month} BETWEEN 1 AND 12 AND {day} BETWEEN 1 AND {_days_in_month(year, month)}"
    return f"(CASE WHEN {real} THEN {made} END)"
