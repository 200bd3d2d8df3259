-- severity: warning
-- 推进中 should say how far it has got.
select
    r.file_id,
    '任务进展' as sheet,
    'progress' as field,
    r.excel_row,
    null as value,
    '完成状态为推进中时请填写进展情况' as expected,
    null as message
from task_rows as r
where r.status = '推进中' and r.progress is null
