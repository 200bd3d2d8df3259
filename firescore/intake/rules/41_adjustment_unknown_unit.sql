-- severity: error
-- An adjustment names a unit of 单位名册.
select
    r.file_id,
    '加减分' as sheet,
    'unit_code' as field,
    r.excel_row,
    r.unit_code as value,
    '单位名册中的单位代码' as expected,
    null as message
from adjustment_rows as r
where r.unit_code is not null and r.unit_code not in (select unit_code from units)
