-- The annual total is the mean of the quarterly totals (a quarter not scored as 0) over the four
-- quarters once Q4 is scored, else over the quarters scored so far, rounded to 2 decimals: never
-- more than half a hundredth away from the exact mean.
WITH
divisor AS (
    SELECT CASE WHEN bool_or(quarter = $q4) THEN 4 ELSE count(DISTINCT quarter) END AS quarters
    FROM unit_scores
    WHERE quarter IN ($q1, $q2, $q3, $q4)
)

SELECT unit_code, q1_total, q2_total, q3_total, q4_total, total
FROM annual_scores
CROSS JOIN divisor AS d
WHERE year = $year
  AND abs(total * d.quarters - (coalesce(q1_total, 0) + coalesce(q2_total, 0)
                   + coalesce(q3_total, 0) + coalesce(q4_total, 0))) > 0.005 * d.quarters
