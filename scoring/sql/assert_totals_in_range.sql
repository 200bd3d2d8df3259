-- Totals lie in [0, 100 + bonus cap], the bonus is capped and the grade is a scheme grade.
SELECT s.unit_code, s.total, s.bonus, s.grade
FROM unit_scores AS s
CROSS JOIN (SELECT num AS bonus_cap FROM scheme_params WHERE key = 'bonus_cap') AS c
WHERE s.quarter = $quarter
    AND (
        s.total < 0
        OR s.total > 100 + c.bonus_cap
        OR s.bonus > c.bonus_cap
        OR s.deductions < 0
        OR s.grade NOT IN (SELECT grade FROM scheme_grades)
    );
