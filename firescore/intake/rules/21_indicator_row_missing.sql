-- severity: warning
-- Every indicator of the unit's group should have a row; a missing row scores 0.
select
    f.file_id,
    '工作指标' as sheet,
    null::varchar as field,
    null::integer as excel_row,
    s.indicator_id as value,
    null as expected,
    '工作指标 缺少指标' || s.indicator_id || '「' || s.name || '」的填报行，该指标按0分计' as message
from files as f
join units as u on u.unit_code = f.unit_code
join scheme_indicators as s on s.grp = u.grp
where f.role = 'units'
  and f.file_id in (select file_id from basic)
  and f.file_id in (select file_id from read_sheets where sheet = '工作指标')
  and not exists (
      select 1 from indicator_rows as r
      where r.file_id = f.file_id and r.indicator_id = s.indicator_id
  )
