-- The ledger as shown (SCORING.md "What is shown adds up"): every ledger row's points and full
-- points to 2 decimals by largest remainder (Hamilton) within its unit and block, so the items
-- shown add up exactly to the block shown (its exact sum half-up, as in unit_scores) and their
-- full points to the block's full points. The ledger itself keeps the exact values; every
-- writer (workbooks, explain) reads the shown figures from here.
--
-- Working in hundredths: each item is rounded down, then the hundredths still missing go one
-- each to the items with the largest remainders (ties: item order). Two refinements keep
-- 失分 = 满分 − 得分 never negative: an item whose points and full points fall in the same
-- hundredth ("tight") may take a points hundredth only if its full points take one too (at most
-- as many as the full points have to give, which always leaves enough: see the property tests),
-- and full points go first to such items, then to items that did not earn their full points.
INSERT INTO shown_ledger
WITH
items AS (
    SELECT
        l.*,
        -- item order: the number in the id (T02 < T10, 加减分第2行 < 加减分第10行), then the id
        row_number() OVER (
            PARTITION BY l.unit_code, l.block
            ORDER BY try_cast(regexp_extract(l.item_id, '([0-9]+)', 1) AS BIGINT) NULLS LAST,
                l.item_id, l.source_cell NULLS FIRST, l.rule_id, l.reason, l.points
        ) AS item_order,
        floor(dec_mul(l.points, 100))::HUGEINT AS points_floor,
        dec_mul(l.points, 100) - floor(dec_mul(l.points, 100)) AS points_rem,
        floor(dec_mul(l.max_points, 100))::HUGEINT AS max_floor,
        dec_mul(l.max_points, 100) - floor(dec_mul(l.max_points, 100)) AS max_rem
    FROM ledger AS l
    WHERE l.quarter = $quarter
),

-- hundredths each block still needs after rounding down: shown block − Σ rounded-down items
targets AS (
    SELECT
        unit_code,
        block,
        (shown_value(sum(points)) * 100)::HUGEINT - sum(points_floor) AS points_short,
        (shown_value(sum(max_points)) * 100)::HUGEINT - sum(max_floor) AS max_short
    FROM items
    GROUP BY unit_code, block
),

flagged AS (
    SELECT
        i.*,
        t.points_short,
        t.max_short,
        -- only the four blocks have full points to keep above the points shown
        i.block IN ('tasks', 'indicators', 'fire', 'reporting')
            AND i.points_floor = i.max_floor AS tight
    FROM items AS i
    JOIN targets AS t ON t.unit_code = i.unit_code AND t.block = i.block
),

-- points: largest remainder first; a tight item only while full points can follow it
points_candidates AS (
    SELECT
        *,
        count(*) FILTER (WHERE tight) OVER (
            PARTITION BY unit_code, block ORDER BY points_rem DESC, item_order
            ROWS UNBOUNDED PRECEDING
        ) AS tight_seen
    FROM flagged
    WHERE points_rem > 0
),

points_up AS (
    SELECT unit_code, block, item_order
    FROM (
        SELECT
            *,
            row_number() OVER (
                PARTITION BY unit_code, block ORDER BY points_rem DESC, item_order
            ) AS place
        FROM points_candidates
        WHERE NOT tight OR tight_seen <= max_short
    )
    WHERE place <= points_short
),

with_points AS (
    SELECT
        f.*,
        u.item_order IS NOT NULL AS points_up,
        -- tight items rounded up in points must be rounded up in full points too
        f.tight AND u.item_order IS NOT NULL AS max_forced
    FROM flagged AS f
    LEFT JOIN points_up AS u
        ON u.unit_code = f.unit_code AND u.block = f.block AND u.item_order = f.item_order
),

forced AS (
    SELECT unit_code, block, count(*) FILTER (WHERE max_forced) AS forced
    FROM with_points
    GROUP BY unit_code, block
),

-- full points: the forced items, then items short of full points, by largest remainder
max_up AS (
    SELECT unit_code, block, item_order
    FROM (
        SELECT
            w.unit_code,
            w.block,
            w.item_order,
            w.max_short - f.forced AS free,
            row_number() OVER (
                PARTITION BY w.unit_code, w.block
                ORDER BY w.points >= w.max_points, w.max_rem DESC, w.item_order
            ) AS place
        FROM with_points AS w
        JOIN forced AS f ON f.unit_code = w.unit_code AND f.block = w.block
        WHERE w.max_rem > 0 AND NOT w.max_forced
    )
    WHERE place <= free
),

shown AS (
    SELECT
        w.*,
        ((w.points_floor + CASE WHEN w.points_up THEN 1 ELSE 0 END)::DECIMAL(38, 0) * 0.01)
            ::DECIMAL(18, 2) AS shown_points,
        ((w.max_floor + CASE WHEN w.max_forced OR m.item_order IS NOT NULL THEN 1 ELSE 0 END)
            ::DECIMAL(38, 0) * 0.01)::DECIMAL(18, 2) AS shown_max
    FROM with_points AS w
    LEFT JOIN max_up AS m
        ON m.unit_code = w.unit_code AND m.block = w.block AND m.item_order = w.item_order
)

SELECT
    $quarter AS quarter,
    unit_code,
    block,
    item_id,
    item_order,
    -- the 项目编号 a reader sees: task and indicator ids only, never an internal key
    CASE WHEN block IN ('tasks', 'indicators') AND item_id <> block THEN item_id END AS item_code,
    item_name,
    shown_max AS max_points,
    shown_points AS points,
    -- 失分: full points shown − points shown; a deduction's size; nothing for other rows
    CASE
        WHEN block IN ('tasks', 'indicators', 'fire', 'reporting') THEN shown_max - shown_points
        WHEN block = 'adjustment' AND rule_id <> 'ADJ_BONUS_CAP' AND points < 0 THEN -shown_points
        ELSE 0
    END::DECIMAL(18, 2) AS lost,
    max_points AS exact_max_points,
    points AS exact_points,
    contribution,
    reason,
    rule_id,
    source_sha256,
    source_sheet,
    source_cell
FROM shown;
