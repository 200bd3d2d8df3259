-- severity: warning
-- Every task the unit is named on should have a row; a missing row scores 0 (漏报).
select
    f.file_id,
    '任务进展' as sheet,
    null::varchar as field,
    null::integer as excel_row,
    a.task_id as value,
    null as expected,
    '任务进展 缺少任务' || a.task_id || '「' || t.title || '」的填报行（本单位为' || a.role
        || '单位），该任务按漏报计0分' as message
from files as f
join task_assignments as a on a.unit_code = f.unit_code
join tasks as t on t.task_id = a.task_id
where f.role = 'units'
  and f.file_id in (select file_id from basic)
  and f.file_id in (select file_id from read_sheets where sheet = '任务进展')
  and not exists (
      select 1 from task_rows as r where r.file_id = f.file_id and r.task_id = a.task_id
  )
