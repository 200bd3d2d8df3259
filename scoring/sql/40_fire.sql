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

-- Each fire of this year to date and of the same period last year, once per unit it counts
-- against: the one place the attribution rule is written.
CREATE OR REPLACE TEMP TABLE calc_fire_attributed AS
WITH
fires AS (
    SELECT true AS this_year, * FROM stg_fires_ytd
    UNION ALL BY NAME
    SELECT false AS this_year, * FROM stg_fires_base
),

-- Two equi-joins, not one join on (street OR place type): DuckDB runs an OR condition as a
-- nested loop over units × fires, which grows with the square of the district.
street_fires AS (
    SELECT u.unit_code, f.*
    FROM calc_fire_units AS u
    JOIN fires AS f ON f.street_code = u.unit_code
    WHERE u.grp = '镇街组'
),

department_types AS (
    SELECT DISTINCT unit_code, unnest(place_types) AS place_type
    FROM calc_fire_units
    WHERE grp = '部门组'
),

department_fires AS (
    SELECT d.unit_code, f.*
    FROM department_types AS d
    JOIN fires AS f ON f.place_type = d.place_type
)

SELECT * FROM street_fires
UNION ALL BY NAME
SELECT * FROM department_fires;

CREATE OR REPLACE TEMP TABLE calc_fire AS
WITH
current_year AS (
    SELECT
        unit_code,
        count(*) AS fires,
        sum(deaths) AS deaths,
        sum(injuries) AS injuries,
        sum(loss) AS loss,
        array_to_string(list_slice(list(fire_id ORDER BY fire_time, fire_id), 1, 20), '、')
            || CASE WHEN count(*) > 20 THEN format('等{}起', count(*)) ELSE '' END AS fire_ids
    FROM calc_fire_attributed
    WHERE this_year
    GROUP BY unit_code
),

last_year AS (
    SELECT
        unit_code,
        count(*) AS fires,
        sum(deaths) AS deaths,
        sum(injuries) AS injuries,
        sum(loss) AS loss
    FROM calc_fire_attributed
    WHERE NOT this_year
    GROUP BY unit_code
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
-- above YTD attributed to it (calc_fire_attributed).
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
    FROM calc_fire_attributed AS f
    JOIN calc_fire_units AS u ON u.unit_code = f.unit_code
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
