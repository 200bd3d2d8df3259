-- What is shown adds up: per unit and block, the items shown add up to the block score of
-- unit_scores (0 when not applicable) and their full points to the block's full points; the
-- adjustment items to the adjustment; each shown figure within a hundredth of the exact one;
-- no item shows more points than its full points.
WITH
sums AS (
    SELECT unit_code, block, sum(points) AS points, sum(max_points) AS max_points
    FROM shown_ledger
    WHERE quarter = $quarter
    GROUP BY unit_code, block
),

expected AS (
    SELECT unit_code, 'tasks' AS block, tasks_score AS points, tasks_max AS max_points
    FROM unit_scores WHERE quarter = $quarter
    UNION ALL
    SELECT unit_code, 'indicators', indicators_score, indicators_max
    FROM unit_scores WHERE quarter = $quarter
    UNION ALL
    SELECT unit_code, 'fire', fire_score, fire_max FROM unit_scores WHERE quarter = $quarter
    UNION ALL
    SELECT unit_code, 'reporting', reporting_score, reporting_max
    FROM unit_scores WHERE quarter = $quarter
    UNION ALL
    SELECT unit_code, 'adjustment', adjustment, 0 FROM unit_scores WHERE quarter = $quarter
)

SELECT e.unit_code, e.block, NULL AS item_id, 'items do not add up to the block shown' AS problem
FROM expected AS e
LEFT JOIN sums AS s ON s.unit_code = e.unit_code AND s.block = e.block
WHERE coalesce(s.points, 0) <> coalesce(e.points, 0)
    OR (e.points IS NOT NULL AND coalesce(s.max_points, 0) <> e.max_points)
UNION ALL
SELECT unit_code, block, item_id, 'shown figure more than a hundredth from the exact one'
FROM shown_ledger
WHERE quarter = $quarter
    AND (abs(points - exact_points) >= 0.01 OR abs(max_points - exact_max_points) >= 0.01)
UNION ALL
SELECT unit_code, block, item_id, 'negative lost points'
FROM shown_ledger
WHERE quarter = $quarter AND lost < 0;
