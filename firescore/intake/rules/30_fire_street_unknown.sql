-- severity: error
-- A fire counts against the street of its 镇街代码, which must be a 镇街组 unit.
select
    r.file_id,
    '火灾情况' as sheet,
    'street_code' as field,
    r.excel_row,
    r.street_code as value,
    '单位名册中镇街组的单位代码' as expected,
    null as message
from fire_rows as r
where r.street_code is not null
  and r.street_code not in (select unit_code from units where grp = '镇街组')
