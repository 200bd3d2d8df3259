-- severity: error
-- The inbox folder names the sender; it must be a unit of 单位名册.
-- (`check` takes the sender from 基本信息 instead: see 04_basic_unit_unknown.)
select
    f.file_id,
    null::varchar as sheet,
    null::varchar as field,
    null::integer as excel_row,
    f.unit_code as value,
    '单位名册中的单位代码' as expected,
    '收件箱文件夹“' || f.unit_code || '”不是单位名册中的单位代码，无法确定发件单位' as message
from files as f
where f.origin = 'inbox' and f.unit_code not in (select unit_code from units)
