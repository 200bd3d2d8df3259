-- severity: error
-- Each quarter's file lists that quarter's fires.
select
    r.file_id,
    '火灾情况' as sheet,
    'fire_time' as field,
    r.excel_row,
    strftime(r.fire_time, '%Y-%m-%d %H:%M') as value,
    strftime($quarter_start, '%Y-%m-%d') || ' 至 ' || strftime($quarter_end, '%Y-%m-%d')
        || ' 之间（' || $quarter || '）' as expected,
    null as message
from fire_rows as r
where r.fire_time < $quarter_start or r.fire_time >= $quarter_end + interval 1 day
