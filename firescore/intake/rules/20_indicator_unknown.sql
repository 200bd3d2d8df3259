-- severity: error
-- An indicator row must be an indicator of the scheme that applies to the unit's group.
select
    r.file_id,
    '工作指标' as sheet,
    'indicator_id' as field,
    r.excel_row,
    r.indicator_id as value,
    '本单位考核组（' || u.grp || '）的指标编号：'
        || (select string_agg(s.indicator_id, '、' order by s.indicator_id)
            from scheme_indicators as s where s.grp = u.grp) as expected,
    null as message
from indicator_rows as r
join files as f using (file_id)
join units as u on u.unit_code = f.unit_code
where r.indicator_id is not null
  and not exists (
      select 1 from scheme_indicators as s
      where s.grp = u.grp and s.indicator_id = r.indicator_id
  )
