-- Block rows earn between 0 and their max; rows of a not-applicable block contribute nothing.
SELECT l.unit_code, l.block, l.item_id, l.points, l.max_points, l.contribution
FROM ledger AS l
LEFT JOIN unit_scores AS s ON s.quarter = l.quarter AND s.unit_code = l.unit_code
WHERE l.quarter = $quarter
    AND l.block IN ('tasks', 'indicators', 'fire', 'reporting')
    AND (
        l.points < 0
        OR l.points > l.max_points
        OR (l.contribution <> 0 AND CASE l.block
            WHEN 'tasks' THEN s.tasks_score
            WHEN 'indicators' THEN s.indicators_score
            WHEN 'fire' THEN s.fire_score
            ELSE s.reporting_score
        END IS NULL)
    );
