-- severity: error
-- 基本信息 考核季度 must be a quarter of the scheme's year. A run's quarter always is; `check`
-- takes the quarter from 基本信息, so this is what stops a file claiming 2019Q4 there.
select
    b.file_id,
    '基本信息' as sheet,
    'quarter' as field,
    b.excel_row,
    b.quarter as value,
    '考核方案年度（' || cast($year as varchar) || '年）的季度，如 '
        || cast($year as varchar) || 'Q2' as expected,
    null as message
from basic as b
where b.quarter = $quarter and left(b.quarter, 4) <> cast($year as varchar)
