-- The ledger (SCORING.md §1, §7): every block row rescaled over the unit's applicable blocks,
-- the adjustment rows, and a clamp row when the total leaves [0, 100 + bonus cap].

-- Block scores and applicability per unit: a block is applicable when any of its rows is.
CREATE OR REPLACE TEMP TABLE calc_blocks AS
WITH
rows AS (
    SELECT unit_code, block, points, applicable FROM calc_tasks
    UNION ALL
    SELECT unit_code, block, points, applicable FROM calc_indicators
    UNION ALL
    SELECT unit_code, block, points, applicable FROM calc_fire
    UNION ALL
    SELECT unit_code, block, points, applicable FROM calc_reporting
),

blocks AS (
    SELECT r.unit_code, r.block, bool_or(r.applicable) AS applicable, sum(r.points) AS score
    FROM rows AS r
    GROUP BY r.unit_code, r.block
)

SELECT
    b.unit_code,
    b.block,
    b.applicable,
    CASE WHEN b.applicable THEN b.score END::DECIMAL(38, 12) AS score,
    CASE WHEN b.applicable THEN s.points END::DECIMAL(38, 12) AS block_points,
    -- Σ points of the applicable blocks: the denominator of the rescaling to 100
    sum(CASE WHEN b.applicable THEN s.points ELSE 0 END)
        OVER (PARTITION BY b.unit_code)::DECIMAL(38, 12) AS applicable_points
FROM blocks AS b
JOIN stg_units AS u ON u.unit_code = b.unit_code
JOIN scheme_blocks AS s ON s.grp = u.grp AND s.block = b.block;

INSERT INTO ledger
WITH
block_rows AS (
    SELECT * EXCLUDE (applicable) FROM calc_tasks
    UNION ALL
    SELECT * EXCLUDE (applicable) FROM calc_indicators
    UNION ALL
    SELECT * EXCLUDE (applicable) FROM calc_fire
    UNION ALL
    SELECT * EXCLUDE (applicable) FROM calc_reporting
),

rescaled AS (
    SELECT
        r.*,
        -- share of 100 after rescaling: points × 100 / Σ points of applicable blocks
        CASE WHEN b.applicable
            THEN coalesce(dec_div(dec_mul(r.points, 100), b.applicable_points), 0)
            ELSE 0
        END::DECIMAL(38, 12) AS contribution
    FROM block_rows AS r
    JOIN calc_blocks AS b ON b.unit_code = r.unit_code AND b.block = r.block
),

adjustment_rows AS (
    SELECT * EXCLUDE (applicable), points AS contribution FROM calc_adjustments
)

SELECT
    $quarter, unit_code, block, item_id, item_name, max_points, points, contribution,
    reason, rule_id, source_sha256, source_sheet, source_cell
FROM rescaled
UNION ALL
SELECT
    $quarter, unit_code, block, item_id, item_name, max_points, points, contribution,
    reason, rule_id, source_sha256, source_sheet, source_cell
FROM adjustment_rows;

-- total = clamp(base + bonus − deductions, 0, 100 + bonus cap): the clamp is a ledger row too,
-- so the total stays the sum of the ledger.
INSERT INTO ledger
WITH
cap AS (
    SELECT num AS bonus_cap FROM scheme_params WHERE key = 'bonus_cap'
),

sums AS (
    SELECT unit_code, sum(contribution) AS raw_total
    FROM ledger
    WHERE quarter = $quarter
    GROUP BY unit_code
),

clamped AS (
    SELECT
        s.unit_code,
        s.raw_total,
        least(greatest(s.raw_total, 0), 100 + c.bonus_cap)::DECIMAL(38, 12) AS total,
        c.bonus_cap
    FROM sums AS s
    CROSS JOIN cap AS c
)

SELECT
    $quarter,
    unit_code,
    'total',
    'clamp',
    '总分限定',
    0,
    (total - raw_total)::DECIMAL(38, 12),
    (total - raw_total)::DECIMAL(38, 12),
    CASE WHEN raw_total < 0
        THEN format('基础分加减分后为{}分，总分不低于0分，按0分计', fmt_num(raw_total))
        ELSE format('基础分加减分后为{}分，总分不高于{}分，按{}分计',
            fmt_num(raw_total), fmt_num(100 + bonus_cap), fmt_num(100 + bonus_cap))
    END,
    'TOTAL_CLAMP',
    NULL,
    NULL,
    NULL
FROM clamped
-- a sum a few 1e-12 below 0 (rounding of contributions) is 0, not a clamp
WHERE round(raw_total, 10) < 0 OR round(raw_total, 10) > 100 + bonus_cap;
