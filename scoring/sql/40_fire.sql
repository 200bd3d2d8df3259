-- 火灾形势 (SCORING.md §4): four ledger rows per unit (起数, 亡人, 受伤, 直接财产损失),
-- YTD against the same period last year; plus the 一票否决 check (calc_veto).

-- Which fires count against which unit: streets by 镇街代码, departments by 监管场所类型.
CREATE OR REPLACE TEMP TABLE calc_fire_units AS
SELECT
    unit_code,
    grp,
    place_types,
    grp = '镇街组' OR len(place_types) > 0 AS applicable
FROM stg_units;

-- What a unit's fires are counted by: the one place the attribution rule is written. A street
-- counts the fires of its own 镇街代码, a department those of each of its 监管场所类型.
CREATE OR REPLACE TEMP TABLE calc_fire_scope AS
SELECT unit_code, 'street' AS kind, unit_code AS key
FROM calc_fire_units
WHERE grp = '镇街组'
UNION ALL
SELECT DISTINCT unit_code, 'place_type' AS kind, unnest(place_types) AS key
FROM calc_fire_units
WHERE grp = '部门组';

-- Each fire of this year to date and of the same period last year under both keys a unit may
-- count it by. Equi-joins on (kind, key), not one join on (street OR place type): DuckDB runs
-- an OR condition as a nested loop over units × fires.
CREATE OR REPLACE TEMP TABLE calc_fire_keyed AS
WITH
fires AS (
    SELECT true AS this_year, * FROM stg_fires_ytd
    UNION ALL BY NAME
    SELECT false AS this_year, * FROM stg_fires_base
)

SELECT 'street' AS kind, street_code AS key, * FROM fires
UNION ALL BY NAME
SELECT 'place_type' AS kind, place_type AS key, * FROM fires;

CREATE OR REPLACE TEMP TABLE calc_fire AS
WITH
-- Summed per key before the units are joined: every department of a place type counts the
-- same fires, so joining fires to departments first would grow with departments × fires. A
-- fire has one street and one place type, so a unit's keys hold disjoint sets of fires and
-- its figures are the sums of its keys'; its first 20 fires are among its keys' first 20.
per_key AS (
    SELECT
        kind,
        key,
        this_year,
        count(*) AS fires,
        sum(deaths) AS deaths,
        sum(injuries) AS injuries,
        sum(loss) AS loss,
        list_slice(
            list(struct_pack(fire_time, fire_id) ORDER BY fire_time, fire_id), 1, 20
        ) AS first_fires
    FROM calc_fire_keyed
    GROUP BY kind, key, this_year
),

per_unit AS (
    SELECT
        s.unit_code,
        k.this_year,
        sum(k.fires) AS fires,
        sum(k.deaths) AS deaths,
        sum(k.injuries) AS injuries,
        sum(k.loss) AS loss,
        list_slice(list_sort(flatten(list(k.first_fires))), 1, 20) AS first_fires
    FROM calc_fire_scope AS s
    JOIN per_key AS k ON k.kind = s.kind AND k.key = s.key
    GROUP BY s.unit_code, k.this_year
),

current_year AS (
    SELECT
        unit_code,
        fires,
        deaths,
        injuries,
        loss,
        array_to_string(list_transform(first_fires, lambda f: f.fire_id), '、')
            || CASE WHEN fires > 20 THEN format('等{}起', fires) ELSE '' END AS fire_ids
    FROM per_unit
    WHERE this_year
),

last_year AS (
    SELECT unit_code, fires, deaths, injuries, loss
    FROM per_unit
    WHERE NOT this_year
),

figures AS (
    SELECT
        u.unit_code,
        u.grp,
        u.place_types,
        i.item,
        i.item_name,
        i.unit AS measure,
        i.share,
        i.floor,
        i.zero_at_rise,
        i.per_event,
        i.sort_order,
        b.points AS block_points,
        c.fire_ids,
        CASE i.item
            WHEN 'count' THEN coalesce(c.fires, 0)
            WHEN 'deaths' THEN coalesce(c.deaths, 0)
            WHEN 'injuries' THEN coalesce(c.injuries, 0)
            ELSE coalesce(c.loss, 0)
        END::DECIMAL(38, 12) AS cur,
        CASE i.item
            WHEN 'count' THEN coalesce(l.fires, 0)
            WHEN 'deaths' THEN coalesce(l.deaths, 0)
            WHEN 'injuries' THEN coalesce(l.injuries, 0)
            ELSE coalesce(l.loss, 0)
        END::DECIMAL(38, 12) AS base
    FROM calc_fire_units AS u
    CROSS JOIN scheme_fire_items AS i
    JOIN scheme_blocks AS b ON b.grp = u.grp AND b.block = 'fire'
    LEFT JOIN current_year AS c ON c.unit_code = u.unit_code
    LEFT JOIN last_year AS l ON l.unit_code = u.unit_code
    WHERE u.applicable
),

-- 双降 (scheme fire.require_fall): 起数 and 亡人 must fall year on year for full marks.
-- 起数 that did not fall is measured against a target of last year − 1 (the smallest fall);
-- 亡人 that did not fall scores 0. Zero fires or deaths this year needs no fall.
no_fall AS (
    SELECT
        f.*,
        p.num = 1 AND f.item IN ('count', 'deaths') AND f.cur > 0 AND f.cur >= f.base AS no_fall
    FROM figures AS f
    CROSS JOIN (SELECT num FROM scheme_params WHERE key = 'fire_require_fall') AS p
),

switched AS (
    SELECT
        *,
        cur - base + CASE WHEN no_fall AND item = 'count' THEN 1 ELSE 0 END AS excess
    FROM no_fall
),

scored AS (
    SELECT
        *,
        -- rise = (cur − base) / max(base, floor); under 双降 the excess over last year − 1
        dec_div(excess, greatest(base, floor)) AS rise,
        CASE
            WHEN item = 'deaths' AND no_fall THEN 0
            WHEN item = 'deaths' THEN greatest(0, 1 - dec_mul(per_event, cur))
            WHEN excess <= 0 THEN 1
            ELSE greatest(0, 1 - dec_div(excess, dec_mul(greatest(base, floor), zero_at_rise)))
        END::DECIMAL(38, 12) AS ratio,
        dec_mul(block_points, share) AS max_points,
        CASE WHEN grp = '部门组'
            THEN format('（按监管场所类型{}统计）', array_to_string(place_types, '、'))
            ELSE ''
        END AS scope
    FROM switched
)

SELECT
    unit_code,
    'fire' AS block,
    item AS item_id,
    item_name,
    max_points,
    dec_mul(max_points, ratio) AS points,
    CASE
        WHEN item = 'deaths' AND no_fall THEN format(
            '{}{}：本年累计{}{}，去年同期{}{}，未实现下降（双降），得分系数0',
            item_name, scope, fmt_num(cur), measure, fmt_num(base), measure)
        WHEN item = 'deaths' THEN format(
            '{}{}：本年累计{}{}，每{}扣本项{}，得分系数{}',
            item_name, scope, fmt_num(cur), measure, measure, fmt_pct(per_event), fmt_num(ratio))
        WHEN no_fall THEN format(
            '{}{}：本年累计{}{}，去年同期{}{}，未实现下降（双降：目标为比去年同期少1{}），'
            || '超出目标{}{}，按max(去年同期, {})计上升率{}（上升率达{}不得分），得分系数{}{}',
            item_name, scope, fmt_num(cur), measure, fmt_num(base), measure, measure,
            fmt_num(excess), measure, fmt_num(floor), fmt_pct(rise),
            fmt_pct(zero_at_rise), fmt_num(ratio),
            CASE WHEN fire_ids IS NOT NULL THEN '（' || fire_ids || '）' ELSE '' END)
        WHEN cur <= base THEN format(
            '{}{}：本年累计{}{}，去年同期{}{}，未上升，得分系数1{}',
            item_name, scope, fmt_num(cur), measure, fmt_num(base), measure,
            CASE WHEN item = 'count' AND fire_ids IS NOT NULL THEN '（' || fire_ids || '）' ELSE '' END)
        ELSE format(
            '{}{}：本年累计{}{}，去年同期{}{}，上升{}{}，按max(去年同期, {})计上升率{}'
            || '（上升率达{}不得分），得分系数{}{}',
            item_name, scope, fmt_num(cur), measure, fmt_num(base), measure,
            fmt_num(cur - base), measure, fmt_num(floor), fmt_pct(rise),
            fmt_pct(zero_at_rise), fmt_num(ratio),
            CASE WHEN item = 'count' AND fire_ids IS NOT NULL THEN '（' || fire_ids || '）' ELSE '' END)
    END AS reason,
    'FIRE_' || upper(item) AS rule_id,
    NULL::VARCHAR AS source_sha256,
    NULL::VARCHAR AS source_sheet,
    NULL::VARCHAR AS source_cell,
    true AS applicable
FROM scored

UNION ALL

-- A department with no 监管场所类型: the block is not applicable.
SELECT
    unit_code, 'fire', 'fire', '火灾形势', 0, 0,
    '未设置监管场所类型，火灾形势不适用，按其余板块折算', 'FIRE_NA', NULL, NULL, NULL, false
FROM calc_fire_units
WHERE NOT applicable;

-- 一票否决: a unit of a group with the veto switched on and a fire of the minimum grade or
-- above YTD attributed to it (calc_fire_scope).
CREATE OR REPLACE TEMP TABLE calc_veto AS
WITH
min_severity AS (
    SELECT num::INTEGER AS severity, text AS grade FROM scheme_params WHERE key = 'veto_min_severity'
),

severities AS (
    SELECT DISTINCT grade, severity FROM scheme_fire_grades
),

serious AS (
    SELECT u.unit_code, f.fire_id, f.fire_time, f.grade, f.sha256, f.excel_row
    FROM calc_fire_keyed AS f
    JOIN calc_fire_scope AS a ON a.kind = f.kind AND a.key = f.key
    JOIN calc_fire_units AS u ON u.unit_code = a.unit_code
    JOIN scheme_veto AS v ON v.grp = u.grp AND v.enabled
    JOIN severities AS s ON s.grade = f.grade
    CROSS JOIN min_severity AS m
    WHERE f.this_year AND s.severity >= m.severity
)

SELECT
    s.unit_code,
    format('本年累计发生{}及以上火灾：{}', any_value(m.grade),
        string_agg(format('{}（{}，{}）', s.fire_id, fmt_date(s.fire_time), s.grade), '、'
            ORDER BY s.fire_time, s.fire_id)) AS veto_reason
FROM serious AS s
CROSS JOIN min_severity AS m
GROUP BY s.unit_code;
