-- Every figure of unit_scores follows from the ledger (SCORING.md "What is shown adds up"):
-- a block score is its rows' exact sum half-up to 2 decimals, base = 100 × Σ those block
-- scores / Σ points of the applicable blocks, adjustment = its rows' sum to 2 decimals, and
-- total = base + adjustment + the clamp row, half-up to 2 decimals.
WITH
ledger_sums AS (
    SELECT
        unit_code,
        shown_value(sum(points) FILTER (WHERE block = 'tasks'))      AS tasks,
        shown_value(sum(points) FILTER (WHERE block = 'indicators')) AS indicators,
        shown_value(sum(points) FILTER (WHERE block = 'fire'))       AS fire,
        shown_value(sum(points) FILTER (WHERE block = 'reporting'))  AS reporting,
        shown_value(coalesce(sum(points) FILTER (WHERE block = 'adjustment'), 0)) AS adjustment,
        coalesce(sum(points) FILTER (WHERE block = 'total'), 0)      AS clamp
    FROM ledger
    WHERE quarter = $quarter
    GROUP BY unit_code
),

bases AS (
    SELECT
        s.unit_code,
        coalesce(dec_div(
            dec_mul(coalesce(s.tasks_score, 0) + coalesce(s.indicators_score, 0)
                + coalesce(s.fire_score, 0) + coalesce(s.reporting_score, 0), 100),
            coalesce(s.tasks_max, 0) + coalesce(s.indicators_max, 0)
                + coalesce(s.fire_max, 0) + coalesce(s.reporting_max, 0)), 0) AS base
    FROM unit_scores AS s
    WHERE s.quarter = $quarter
)

SELECT s.unit_code, 'block score, base or total differs from the ledger' AS problem
FROM unit_scores AS s
JOIN bases AS b ON b.unit_code = s.unit_code
LEFT JOIN ledger_sums AS l ON l.unit_code = s.unit_code
WHERE s.quarter = $quarter
    AND (
        l.unit_code IS NULL
        OR (s.tasks_score IS NOT NULL AND s.tasks_score <> l.tasks)
        OR (s.indicators_score IS NOT NULL AND s.indicators_score <> l.indicators)
        OR (s.fire_score IS NOT NULL AND s.fire_score <> l.fire)
        OR (s.reporting_score IS NOT NULL AND s.reporting_score <> l.reporting)
        OR s.base <> b.base
        OR s.adjustment <> l.adjustment
        OR s.total <> shown_value(s.base + s.adjustment + l.clamp)
    );
