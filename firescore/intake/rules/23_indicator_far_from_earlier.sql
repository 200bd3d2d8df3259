-- severity: warning
-- A count, or a rate's 分母, far above the unit's earlier accepted quarters is probably a slip.
with earlier as (
    select unit_code, indicator_id, max(value) as max_value, max(denominator) as max_denominator
    from earlier_indicators
    where quarter < $quarter
    group by all
),
checked as (
    select
        r.file_id,
        r.excel_row,
        case when s.kind = 'rate' then 'denominator' else 'value' end as field,
        case when s.kind = 'rate' then r.denominator else r.value end as current,
        case when s.kind = 'rate' then e.max_denominator else e.max_value end as highest
    from indicator_rows as r
    join files as f using (file_id)
    join units as u on u.unit_code = f.unit_code
    join scheme_indicators as s on s.grp = u.grp and s.indicator_id = r.indicator_id
    join earlier as e on e.unit_code = f.unit_code and e.indicator_id = r.indicator_id
)
select
    file_id,
    '工作指标' as sheet,
    field,
    excel_row,
    rtrim(rtrim(current::varchar, '0'), '.') as value,
    '与本单位以往季度相近（以往最高 ' || rtrim(rtrim(highest::varchar, '0'), '.') || '），请核实' as expected,
    null as message
from checked
where current > highest * $outlier_factor and current - highest >= $outlier_min_jump
