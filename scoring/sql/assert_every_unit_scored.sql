-- Every ranked unit has a score and every unit of the registry a submissions row.
SELECT u.unit_code, 'ranked unit without a score' AS problem
FROM units AS u
WHERE u.ranked
    AND u.unit_code NOT IN (SELECT unit_code FROM unit_scores WHERE quarter = $quarter)
UNION ALL
SELECT u.unit_code, 'unit without a submissions row'
FROM units AS u
WHERE u.unit_code NOT IN (SELECT unit_code FROM submissions WHERE quarter = $quarter);
