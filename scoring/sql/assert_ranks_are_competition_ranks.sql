-- rank = 1 + number of units of the group placed strictly ahead (non-vetoed first, then total).
-- Counted per distinct (group, veto, total) with running sums, not by joining every unit to
-- every other unit of its group (that join grows with the square of the group).
WITH
ranked AS (
    SELECT unit_code, grp, rank, veto, total
    FROM unit_scores
    WHERE quarter = $quarter AND ranked
),

places AS (
    SELECT grp, veto, total, count(*) AS units
    FROM ranked
    GROUP BY grp, veto, total
),

ahead AS (
    -- units of the same group and veto with a higher total (each place is one distinct total)
    SELECT
        grp,
        veto,
        total,
        coalesce(sum(units) OVER (
            PARTITION BY grp, veto ORDER BY total DESC
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ), 0) AS higher
    FROM places
),

clean AS (
    SELECT grp, count(*) FILTER (WHERE NOT veto) AS units
    FROM ranked
    GROUP BY grp
)

SELECT
    r.unit_code,
    r.grp,
    r.rank,
    1 + a.higher + CASE WHEN r.veto THEN c.units ELSE 0 END AS expected_rank
FROM ranked AS r
JOIN ahead AS a ON a.grp = r.grp AND a.veto = r.veto AND a.total = r.total
JOIN clean AS c ON c.grp = r.grp
WHERE r.rank IS DISTINCT FROM 1 + a.higher + CASE WHEN r.veto THEN c.units ELSE 0 END;
