-- Inputs the scheme cannot score (validation should have refused them): an adjustment whose
-- 事项 is not a scheme type, a fire whose 火灾等级 is not in the grade table.
SELECT a.unit_code, '加减分' AS sheet, a.excel_row, a.item AS value
FROM stg_adjustments AS a
WHERE a.item NOT IN (SELECT item FROM scheme_adjustment_types)
UNION ALL
SELECT f.street_code, '火灾情况', f.excel_row, f.grade
FROM stg_fires_ytd AS f
WHERE f.grade NOT IN (SELECT grade FROM scheme_fire_grades);
