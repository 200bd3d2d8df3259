-- rank = 1 + number of units of the group placed strictly ahead (non-vetoed first, then total).
SELECT s.unit_code, s.grp, s.rank, count(o.unit_code) + 1 AS expected_rank
FROM unit_scores AS s
LEFT JOIN unit_scores AS o
    ON o.quarter = s.quarter
    AND o.grp = s.grp
    AND o.ranked
    AND (
        (NOT o.veto AND s.veto)
        OR (o.veto = s.veto AND o.total > s.total)
    )
WHERE s.quarter = $quarter AND s.ranked
GROUP BY s.unit_code, s.grp, s.rank
HAVING s.rank IS DISTINCT FROM count(o.unit_code) + 1;
