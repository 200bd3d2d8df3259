-- The annual total is the mean of the four quarterly totals (a quarter not scored as 0),
-- rounded to 2 decimals: never more than half a hundredth away from the exact mean.
SELECT unit_code, q1_total, q2_total, q3_total, q4_total, total
FROM annual_scores
WHERE year = $year
  AND abs(total - (coalesce(q1_total, 0) + coalesce(q2_total, 0)
                   + coalesce(q3_total, 0) + coalesce(q4_total, 0)) * 0.25) > 0.005
