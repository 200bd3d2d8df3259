-- severity: error
-- A completion date cannot lie after the date the file was filled in.
select
    r.file_id,
    '任务进展' as sheet,
    'done_date' as field,
    r.excel_row,
    strftime(r.done_date, '%Y-%m-%d') as value,
    '不晚于填报日期 ' || strftime(b.fill_date, '%Y-%m-%d') as expected,
    null as message
from task_rows as r
join basic as b using (file_id)
where r.done_date > b.fill_date
