-- severity: error
-- 基本信息 单位代码 must be the unit whose inbox folder the file arrived in. A folder that is not
-- a unit is reported by 01_sender_unknown alone: its name is no code a unit could write.
select
    b.file_id,
    '基本信息' as sheet,
    'unit_code' as field,
    b.excel_row,
    b.unit_code as value,
    f.unit_code || '（与收件箱文件夹一致）' as expected,
    null as message
from basic as b
join files as f using (file_id)
where b.unit_code is not null and b.unit_code <> f.unit_code
    and f.unit_code in (select unit_code from units)
