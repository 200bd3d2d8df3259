-- severity: error
-- 事项 must be an adjustment type of the scheme.
select
    r.file_id,
    '加减分' as sheet,
    'item' as field,
    r.excel_row,
    r.item as value,
    (select string_agg(item, '、' order by item) from adjustment_types) as expected,
    null as message
from adjustment_rows as r
where r.item is not null and r.item not in (select item from adjustment_types)
