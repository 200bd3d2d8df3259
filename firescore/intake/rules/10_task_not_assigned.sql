-- severity: error
-- A task row must be a task of 任务分解表 that names this unit (牵头 or 配合).
select
    r.file_id,
    '任务进展' as sheet,
    'task_id' as field,
    r.excel_row,
    r.task_id as value,
    '本单位在任务分解表中承担的任务编号：'
        || coalesce((
            select string_agg(a.task_id, '、' order by a.task_id)
            from task_assignments as a
            where a.unit_code = f.unit_code
        ), '（无）') as expected,
    null as message
from task_rows as r
join files as f using (file_id)
join units as u on u.unit_code = f.unit_code  -- an unknown sender is its own error
where r.task_id is not null
  and not exists (
      select 1 from task_assignments as a
      where a.task_id = r.task_id and a.unit_code = f.unit_code
  )
