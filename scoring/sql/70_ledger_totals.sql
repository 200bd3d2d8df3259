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
    -- the block score shown and stored: the exact score half-up to 2 decimals
    CASE WHEN b.applicable THEN shown_value(b.score) END::DECIMAL(38, 12) AS shown_score,
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

-- Totals from the shown figures (SCORING.md "What is shown adds up"): base = 100 × Σ shown
-- block scores / Σ points of the applicable blocks; adjustment = capped bonus − deductions,
-- shown to 2 decimals; total = clamp(base + adjustment, 0, 100 + bonus cap).
CREATE OR REPLACE TEMP TABLE calc_totals AS
WITH
cap AS (
    SELECT num AS bonus_cap FROM scheme_params WHERE key = 'bonus_cap'
),

bases AS (
    SELECT
        unit_code,
        coalesce(
            dec_div(dec_mul(sum(shown_score) FILTER (WHERE applicable), 100),
                max(applicable_points)),
            0)::DECIMAL(38, 12) AS base
    FROM calc_blocks
    GROUP BY unit_code
),

adjustments AS (
    SELECT
        unit_code,
        coalesce(sum(points) FILTER (WHERE rule_id IN ('ADJ_BONUS', 'ADJ_BONUS_CAP')), 0) AS bonus,
        coalesce(-sum(points) FILTER (WHERE rule_id = 'ADJ_DEDUCTION'), 0) AS deductions,
        shown_value(sum(points)) AS adjustment
    FROM calc_adjustments
    GROUP BY unit_code
),

summed AS (
    SELECT
        b.unit_code,
        b.base,
        coalesce(a.bonus, 0)::DECIMAL(38, 12) AS bonus,
        coalesce(a.deductions, 0)::DECIMAL(38, 12) AS deductions,
        coalesce(a.adjustment, 0)::DECIMAL(38, 12) AS adjustment,
        (b.base + coalesce(a.adjustment, 0))::DECIMAL(38, 12) AS raw_total,
        c.bonus_cap
    FROM bases AS b
    LEFT JOIN adjustments AS a ON a.unit_code = b.unit_code
    CROSS JOIN cap AS c
)

SELECT
    *,
    -- a sum a few 1e-12 below 0 (rounding of the rescaled base) is 0, not a clamp
    CASE
        WHEN round(raw_total, 10) < 0 THEN 0
        WHEN round(raw_total, 10) > 100 + bonus_cap THEN 100 + bonus_cap
        ELSE raw_total
    END::DECIMAL(38, 12) AS clamped
FROM summed;

-- The clamp is a ledger row too, so the total stays base + adjustment + the ledger's clamp row.
INSERT INTO ledger
SELECT
    $quarter,
    unit_code,
    'total',
    'clamp',
    '总分限定',
    0,
    (clamped - raw_total)::DECIMAL(38, 12),
    (clamped - raw_total)::DECIMAL(38, 12),
    CASE WHEN clamped = 0
        THEN format('基础分加减分后为{}分，总分不低于0分，按0分计', fmt_num(raw_total))
        ELSE format('基础分加减分后为{}分，总分不高于{}分，按{}分计',
            fmt_num(raw_total), fmt_num(100 + bonus_cap), fmt_num(100 + bonus_cap))
    END,
    'TOTAL_CLAMP',
    NULL,
    NULL,
    NULL
FROM calc_totals
WHERE clamped <> raw_total;
