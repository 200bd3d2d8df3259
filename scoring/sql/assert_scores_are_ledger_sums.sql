-- Every block score, base, adjustment and total in unit_scores is the sum of its ledger rows.
WITH
ledger_sums AS (
    SELECT
        unit_code,
        sum(points) FILTER (WHERE block = 'tasks')      AS tasks,
        sum(points) FILTER (WHERE block = 'indicators') AS indicators,
        sum(points) FILTER (WHERE block = 'fire')       AS fire,
        sum(points) FILTER (WHERE block = 'reporting')  AS reporting,
        coalesce(sum(contribution) FILTER (
            WHERE block IN ('tasks', 'indicators', 'fire', 'reporting')), 0) AS base,
        coalesce(sum(points) FILTER (WHERE block = 'adjustment'), 0) AS adjustment,
        round_total(sum(contribution)) AS total
    FROM ledger
    WHERE quarter = $quarter
    GROUP BY unit_code
)

SELECT s.unit_code, 'block score or total differs from the ledger' AS problem
FROM unit_scores AS s
LEFT JOIN ledger_sums AS l ON l.unit_code = s.unit_code
WHERE s.quarter = $quarter
    AND (
        l.unit_code IS NULL
        OR (s.tasks_score IS NOT NULL AND s.tasks_score <> l.tasks)
        OR (s.indicators_score IS NOT NULL AND s.indicators_score <> l.indicators)
        OR (s.fire_score IS NOT NULL AND s.fire_score <> l.fire)
        OR (s.reporting_score IS NOT NULL AND s.reporting_score <> l.reporting)
        OR s.base <> l.base
        OR s.adjustment <> l.adjustment
        OR s.total <> l.total
    );
