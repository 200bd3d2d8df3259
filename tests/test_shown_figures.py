"""What is shown adds up (SCORING.md, closing section): laws of the shown ledger over random
ledgers (hypothesis), run through the scoring's own stage scoring/sql/90_shown_ledger.sql."""

from __future__ import annotations

import random
from decimal import ROUND_FLOOR, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_fixtures import scheme, warehouse

from firescore.scheme import load_scheme_tables
from firescore.sql_runner import run_file
from scoring.runner import SQL_DIR

QUARTER = "2026Q2"
SCHEME = scheme()
CENT = Decimal("0.01")
EXACT = Decimal("1e-12")
BLOCKS = ("tasks", "indicators", "fire", "reporting")
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# credit shares a unit earns on an item: the scheme's usual ones and arbitrary ratios
credits = st.one_of(
    st.sampled_from(["0", "0.3", "0.5", "0.6", "1"]).map(Decimal),
    st.fractions(0, 1, max_denominator=97).map(
        lambda f: (Decimal(f.numerator) / Decimal(f.denominator)).quantize(EXACT)
    ),
)
# one block: its full points (45, 25 …) shared by weights, and each item's credit
blocks = st.tuples(
    st.sampled_from(["45", "50", "25", "15", "10", "5"]).map(Decimal),
    st.lists(st.tuples(st.sampled_from([1, 2, 3, "0.5"]), credits), min_size=1, max_size=15),
)
adjustments = st.lists(
    st.decimals(min_value=-10, max_value=10, places=3, allow_nan=False), max_size=5
)


def half_up(value: Decimal) -> Decimal:
    """Return a value half-up (a half towards +∞) to 2 decimals, as the scoring shows it."""
    return ((value.quantize(Decimal("1e-10")) + CENT / 2) / CENT).to_integral_value(
        ROUND_FLOOR
    ) * CENT


def ledger_rows(block: str, points: Decimal, items: list) -> list[tuple]:
    """Return a block's ledger rows: full points by weight (12 decimals, as the SQL stores)."""
    weights = [Decimal(str(w)) for w, _ in items]
    rows = []
    for n, (weight, credit) in enumerate(zip(weights, (c for _, c in items), strict=True)):
        full = (points * weight / sum(weights)).quantize(EXACT)
        rows.append((block, f"T{n + 1:02d}", full, (full * credit).quantize(EXACT)))
    return rows


def shown(rows: list[tuple], order_seed: int = 0) -> dict[tuple[str, str], tuple]:
    """Insert ``rows`` (block, item_id, max, points) for one unit in a shuffled order, run the
    shown-ledger stage, and return {(block, item_id): (shown max, shown points, lost)}."""
    con = warehouse()
    rows = list(rows)
    random.Random(order_seed).shuffle(rows)
    for block, item, full, points in rows:
        con.execute(
            "INSERT INTO ledger VALUES (?, 'JD01', ?, ?, '项目', ?, ?, 0, '原因', ?, NULL, NULL, NULL)",
            [QUARTER, block, item, full, points, "ADJ" if block == "adjustment" else "RULE"],
        )
    load_scheme_tables(con, SCHEME)  # the macros refer to the scheme's tables
    for stage in ("00_macros.sql", "90_shown_ledger.sql"):
        run_file(con, SQL_DIR / stage, {"quarter": QUARTER})
    return {
        (b, i): (m, p, lost)
        for b, i, m, p, lost in con.execute(
            "SELECT block, item_id, max_points, points, lost FROM shown_ledger"
        ).fetchall()
    }


@SETTINGS
@given(unit=st.lists(blocks, min_size=1, max_size=4), adjustment=adjustments)
def test_items_add_up_to_the_block_and_full_points_to_its_points(unit, adjustment):
    rows = [
        row
        for block, (points, items) in zip(BLOCKS, unit, strict=False)
        for row in ledger_rows(block, points, items)
    ]
    rows += [("adjustment", f"加减分第{n + 3}行", Decimal(0), v) for n, v in enumerate(adjustment)]
    result = shown(rows)

    for block in {r[0] for r in rows}:
        exact = [r for r in rows if r[0] == block]
        figures = [result[(block, r[1])] for r in exact]
        # items shown add up exactly to the block shown (its exact sum half-up) …
        assert sum(p for _, p, _ in figures) == half_up(sum(r[3] for r in exact))
        # … and their full points to the block's full points (45 = 3.47 × 2 + 3.46 × 11)
        assert sum(m for m, _, _ in figures) == half_up(sum(r[2] for r in exact))
        for (_, _, full, points), (shown_max, shown_points, lost) in zip(
            exact, figures, strict=True
        ):
            # each shown figure within a hundredth of the exact one
            assert abs(shown_points - points) < CENT and abs(shown_max - full) < CENT
            if block in BLOCKS:
                # 失分 = 满分 − 得分 as shown, never negative; nothing earned shows 0.00
                assert lost == shown_max - shown_points >= 0
                assert points != 0 or shown_points == 0
            elif points < 0:
                assert lost == -shown_points  # a deduction is shown as lost points
            else:
                assert lost == 0


@SETTINGS
@given(points=blocks, seed=st.integers(0, 1000))
def test_the_same_ledger_in_any_row_order_shows_the_same_figures(points, seed):
    rows = ledger_rows("tasks", *points)
    assert shown(rows, order_seed=seed) == shown(rows, order_seed=seed + 1)


@SETTINGS
@given(adjustment=st.lists(st.decimals(-10, 10, places=3, allow_nan=False), min_size=1))
def test_hundredths_go_to_the_largest_remainders_ties_in_item_order(adjustment):
    # Adjustments have no full points, so nothing but the remainders decides (pure Hamilton).
    rows = [("adjustment", f"加减分第{n + 3}行", Decimal(0), v) for n, v in enumerate(adjustment)]
    result = shown(rows)
    up, down = [], []
    for order, (_, item, _, points) in enumerate(rows):
        floor = (points / CENT).to_integral_value(ROUND_FLOOR) * CENT
        remainder = points - floor
        (up if result[("adjustment", item)][1] > floor else down).append((remainder, order))
    # every item rounded up has a larger remainder than every item rounded down, or an equal
    # one and an earlier place
    for remainder_up, order_up in up:
        for remainder_down, order_down in down:
            assert (
                remainder_up > remainder_down
                or (remainder_up == remainder_down and order_up < order_down)
                or remainder_down == 0
            )


def test_thirteen_tasks_sharing_45_points_show_full_points_adding_up_to_45():
    # 45 / 13 = 3.4615…: rounded down each shows 3.46 (× 13 = 44.98); two get the missing 0.02.
    # T01 earned nothing, T02–T13 their full points: the unit earned 12 × 3.4615… = 41.54.
    rows = ledger_rows("tasks", Decimal(45), [(1, Decimal(0))] + [(1, Decimal(1))] * 12)
    result = shown(rows)
    fulls = [result[("tasks", f"T{n:02d}")][0] for n in range(1, 14)]
    points = [result[("tasks", f"T{n:02d}")][1] for n in range(1, 14)]
    assert sum(fulls) == 45 and sorted(fulls) == [Decimal("3.46")] * 11 + [Decimal("3.47")] * 2
    assert sum(points) == Decimal("41.54")
    # a task done in full loses nothing, the one not done loses its full points
    assert [result[("tasks", f"T{n:02d}")][2] for n in range(2, 14)] == [0] * 12
    assert result[("tasks", "T01")] == (Decimal("3.46"), 0, Decimal("3.46"))
