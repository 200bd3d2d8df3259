-- rank = 1 + number of units of the group placed strictly ahead (non-vetoed first, then total).
SELECT s.unit_code, s.grp, s.rank, count(o.unit_code) + 1 AS expected_rank
FROM annual_scores AS s
LEFT JOIN annual_scores AS o
    ON o.year = s.year
    AND o.grp = s.grp
    AND (
        (NOT o.veto AND s.veto)
        OR (o.veto = s.veto AND o.total > s.total)
    )
WHERE s.year = $year
GROUP BY s.unit_code, s.grp, s.rank
HAVING s.rank IS DISTINCT FROM count(o.unit_code) + 1;
