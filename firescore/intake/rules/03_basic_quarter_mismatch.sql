-- severity: error
-- 基本信息 考核季度 must be the quarter being run.
select
    b.file_id,
    '基本信息' as sheet,
    'quarter' as field,
    b.excel_row,
    b.quarter as value,
    $quarter as expected,
    null as message
from basic as b
where b.quarter is not null and b.quarter <> $quarter
