-- severity: error
-- A 火灾等级 given must be the grade its deaths, injuries and loss reach.
select
    r.file_id,
    '火灾情况' as sheet,
    'grade' as field,
    r.excel_row,
    r.grade as value,
    r.derived_grade || '（按死亡' || r.deaths || '人、受伤' || r.injuries || '人、损失'
        || rtrim(rtrim(r.loss::varchar, '0'), '.') || '万元推算）' as expected,
    null as message
from fire_rows as r
where r.grade is not null and r.derived_grade is not null and r.grade <> r.derived_grade
