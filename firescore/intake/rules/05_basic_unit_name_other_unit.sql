-- severity: error
-- 基本信息 单位名称 must not name another unit of 单位名册 while 单位代码 names this one
-- (a file copied from a neighbour with only the code changed). Spaces do not count. A wrong
-- code is reported by 02_basic_unit_mismatch alone.
select
    b.file_id,
    '基本信息' as sheet,
    'unit_name' as field,
    b.excel_row,
    b.unit_name as value,
    own.unit_name || '（单位代码 ' || b.unit_code || ' 在单位名册中的名称；所填为 '
        || other.unit_code || ' 的名称）' as expected,
    null as message
from basic as b
join files as f on f.file_id = b.file_id and f.unit_code = b.unit_code
join units as own on own.unit_code = b.unit_code
join units as other
    on other.unit_code <> b.unit_code
    and regexp_replace(other.unit_name, '[\s\x{3000}]', '', 'g') = regexp_replace(b.unit_name, '[\s\x{3000}]', '', 'g')
where regexp_replace(b.unit_name, '[\s\x{3000}]', '', 'g') <> regexp_replace(own.unit_name, '[\s\x{3000}]', '', 'g')
