"""整改跟踪 (scoring/sql/95_follow_up.sql): items lost again (连续失分, quarters in a row) and
items recovered (已整改), from tiny given shown-ledger tables across a year's quarters."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from firescore.scheme import load_scheme, load_scheme_tables
from firescore.sql_runner import run_file
from scoring.runner import SQL_DIR

ROOT = Path(__file__).resolve().parents[1]
DDL = ROOT / "firescore" / "warehouse" / "schema.sql"
YEAR = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]

# quarter, unit_code, block, item_id, item_code, item_name, full points, points
# (lost = full − points, as 扣分明细 shows it)
LEDGER = [
    # T05 lost in Q1, Q2 and Q3: three quarters in a row at Q3
    ("2026Q1", "JD01", "tasks", "T05", "T05", "高层建筑消防设施维护管理公示", "4", "2"),
    ("2026Q2", "JD01", "tasks", "T05", "T05", "高层建筑消防设施维护管理公示", "4", "2"),
    ("2026Q3", "JD01", "tasks", "T05", "T05", "高层建筑消防设施维护管理公示", "4", "1"),
    # I02 lost in Q1 and Q3 but not in Q2: the chain starts again, nothing at Q3
    ("2026Q1", "JD01", "indicators", "I02", "I02", "火灾隐患整改率", "5", "4"),
    ("2026Q2", "JD01", "indicators", "I02", "I02", "火灾隐患整改率", "5", "5"),
    ("2026Q3", "JD01", "indicators", "I02", "I02", "火灾隐患整改率", "5", "4.5"),
    # 火灾起数 lost in Q2 and Q3: two in a row
    ("2026Q2", "JD01", "fire", "count", None, "火灾起数", "10", "8"),
    ("2026Q3", "JD01", "fire", "count", None, "火灾起数", "10", "6"),
    # T06 lost in Q1 and Q2, full points in Q3: 已整改 after two quarters
    ("2026Q1", "JD01", "tasks", "T06", "T06", "可燃雨棚整治", "2", "1"),
    ("2026Q2", "JD01", "tasks", "T06", "T06", "可燃雨棚整治", "2", "1"),
    ("2026Q3", "JD01", "tasks", "T06", "T06", "可燃雨棚整治", "2", "2"),
    # 加减分 rows are events, not items: the same 事项 twice is not followed up
    ("2026Q2", "JD01", "adjustment", "加减分第3行", None, "通报批评（区级）", "0", "-3"),
    ("2026Q3", "JD01", "adjustment", "加减分第3行", None, "通报批评（区级）", "0", "-3"),
    # 信息报送 late in Q2 and Q3, but the Q2 loss was corrected away on appeal (below)
    ("2026Q2", "JD02", "reporting", "reporting", None, "信息报送", "5", "4"),
    ("2026Q3", "JD02", "reporting", "reporting", None, "信息报送", "5", "3"),
    # T09 lost in Q2 and Q3, partly corrected on appeal in Q2: still lost, less
    ("2026Q2", "JD02", "tasks", "T09", "T09", "动火作业整治", "5", "2.5"),
    ("2026Q3", "JD02", "tasks", "T09", "T09", "动火作业整治", "5", "2.5"),
]

# quarter, unit_code, item_code (项目编号 of the forms), lost, ruling, corrected_lost
RULINGS = (
    ("2026Q2", "JD02", "信息报送·信息报送", "1", "更正", "0"),
    ("2026Q2", "JD02", "T09", "2.5", "更正", "1"),
    ("2026Q3", "JD02", "T09", "2.5", "维持", None),  # 维持 changes nothing
)


def warehouse(ledger: list[tuple], rulings: tuple[tuple, ...] = ()) -> duckdb.DuckDBPyConnection:
    """Return an in-memory warehouse holding the given shown ledger and rulings."""
    con = duckdb.connect()
    con.execute(DDL.read_text(encoding="utf-8"))
    load_scheme_tables(con, load_scheme(ROOT / "data_samples" / "scheme.yaml"))
    con.executemany(
        """INSERT INTO shown_ledger VALUES
           (?, ?, ?, ?, 1, ?, ?, ?, ?, ?::DECIMAL(18, 2) - ?::DECIMAL(18, 2), ?, ?, 0,
            'reason', 'rule', NULL, NULL, NULL)""",
        [
            (q, u, b, i, code, name, full, points, full, points, full, points)
            for q, u, b, i, code, name, full, points in ledger
        ],
    )
    for quarter, unit, code, lost, ruling, corrected in rulings:
        con.execute(
            """INSERT INTO appeal_rulings (quarter, unit_code, item_code, item_name, lost, ruling,
                   corrected_lost, claim, note, file_name, sha256, ruling_cell)
               VALUES (?, ?, ?, 'item', ?, ?, ?, 'claim', NULL, '申诉处理.xlsx', 'sha', 'G4')""",
            (quarter, unit, code, lost, ruling, corrected),
        )
        if ruling == "更正":  # what 65_appeals.sql derives from a corrected lost
            con.execute(
                "INSERT INTO appeal_outcomes VALUES (?, ?, ?, ?::DECIMAL(38, 12) - ?, ?)",
                (quarter, unit, code, lost, corrected, corrected),
            )
    return con


def follow_up(con: duckdb.DuckDBPyConnection, quarter: str) -> list[tuple]:
    """Run the follow-up stage for ``quarter``; return its rows by unit, block and item."""
    number = YEAR.index(quarter)
    params = {
        "quarter": quarter,
        "prev_quarter": YEAR[number - 1] if number else None,
        "ytd_quarters": YEAR[: number + 1],
    }
    run_file(con, SQL_DIR / "00_macros.sql", params)
    run_file(con, SQL_DIR / "95_follow_up.sql", params)
    return con.execute(
        """SELECT unit_code, item_id, status, streak, lost, previous_lost FROM follow_up
           WHERE quarter = $q ORDER BY unit_code, block, item_id""",
        {"q": quarter},
    ).fetchall()


def d(text: str) -> Decimal:
    """Return a 2-decimal figure as the follow-up table stores it."""
    return Decimal(text).quantize(Decimal("0.01"))


def test_items_lost_again_count_the_quarters_in_a_row_and_recovered_items_show():
    assert follow_up(warehouse(LEDGER, RULINGS), "2026Q3") == [
        # 火灾起数: Q2 and Q3
        ("JD01", "count", "连续失分", 2, d("4"), d("2")),
        # T05: Q1, Q2, Q3 (lost 3 now, 2 last quarter)
        ("JD01", "T05", "连续失分", 3, d("3"), d("2")),
        # T06: lost in Q1 and Q2, full points now
        ("JD01", "T06", "已整改", 2, d("0"), d("1")),
        # T09: Q2's 2.5 corrected on appeal to 1, still a loss; Q3 upheld (维持) at 2.5
        ("JD02", "T09", "连续失分", 2, d("2.5"), d("1")),
        # I02: Q1 and Q3 with Q2 at full points: no chain. 信息报送: Q2 corrected away.
        # 加减分第3行: an event, never followed up.
    ]


def test_the_first_quarter_has_nothing_to_follow_up():
    assert follow_up(warehouse(LEDGER, RULINGS), "2026Q1") == []


def test_a_quarter_missing_from_the_warehouse_breaks_the_chain():
    # Q2 never scored: T05 lost in Q1 and Q3 is not 连续失分, T06 lost in Q1 is not 已整改.
    con = warehouse([row for row in LEDGER if row[0] != "2026Q2"])
    assert follow_up(con, "2026Q3") == []


def test_the_second_quarter_compares_with_the_first():
    assert follow_up(warehouse(LEDGER, RULINGS), "2026Q2") == [
        ("JD01", "I02", "已整改", 1, d("0"), d("1")),
        ("JD01", "T05", "连续失分", 2, d("2"), d("2")),
        ("JD01", "T06", "连续失分", 2, d("1"), d("1")),
    ]


def test_the_invariant_holds_and_names_a_row_that_does_not_follow_the_ledger():
    con = warehouse(LEDGER, RULINGS)
    follow_up(con, "2026Q3")
    invariant = SQL_DIR / "assert_follow_up_matches_the_ledger.sql"
    params = {"quarter": "2026Q3", "ytd_quarters": YEAR[:3]}
    assert run_file(con, invariant, params)[1] == []
    # a 连续失分 claiming more lost points than 扣分明细 shows
    con.execute("UPDATE follow_up SET lost = 9 WHERE item_id = 'T05'")
    rows = run_file(con, invariant, params)[1]
    assert [(r[0], r[2], r[3]) for r in rows] == [("JD01", "T05", "连续失分")]
