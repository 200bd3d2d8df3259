-- severity: error
-- `check` has no inbox folder: the sender is the unit its 基本信息 names, which must be a unit
-- of 单位名册 (the run checks the folder instead: 01_sender_unknown, 02_basic_unit_mismatch).
select
    b.file_id,
    '基本信息' as sheet,
    'unit_code' as field,
    b.excel_row,
    b.unit_code as value,
    '单位名册中的单位代码' as expected,
    null as message
from basic as b
join files as f using (file_id)
where f.origin = 'check'
    and b.unit_code is not null
    and b.unit_code not in (select unit_code from units)
