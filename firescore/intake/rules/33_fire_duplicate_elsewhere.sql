-- severity: error
-- A fire number already reported in another quarter's accepted file is a duplicate.
select
    r.file_id,
    '火灾情况' as sheet,
    'fire_id' as field,
    r.excel_row,
    r.fire_id as value,
    '未在其他季度报送过的火灾编号（已见于 ' || o.quarter || '）' as expected,
    null as message
from fire_rows as r
join other_fires as o on o.fire_id = r.fire_id and o.quarter <> $quarter
