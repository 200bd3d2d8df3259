-- severity: error
-- A rate's numerator cannot exceed its denominator.
select
    r.file_id,
    '工作指标' as sheet,
    'value' as field,
    r.excel_row,
    rtrim(rtrim(r.value::varchar, '0'), '.') as value,
    '不大于分母 ' || rtrim(rtrim(r.denominator::varchar, '0'), '.') as expected,
    null as message
from indicator_rows as r
join files as f using (file_id)
join units as u on u.unit_code = f.unit_code
join scheme_indicators as s on s.grp = u.grp and s.indicator_id = r.indicator_id
where s.kind = 'rate' and r.denominator is not null and r.value > r.denominator
