-- severity: error
-- 已完成 needs its 完成日期.
select
    r.file_id,
    '任务进展' as sheet,
    'done_date' as field,
    r.excel_row,
    null as value,
    '完成状态为已完成时须填写完成日期' as expected,
    null as message
from task_rows as r
where r.status = '已完成' and r.done_date is null
