-- 申诉更正 (right of reply): each ruling 更正 gives back points as one ledger row of its own
-- (block adjustment, rule 申诉更正) with its source, the ruling's file and cell; the disputed
-- row itself is never edited. A ruling gives either the lost points after it (given back:
-- 原失分 − 更正后失分) or a corrected input value, in which case the item was scored again by
-- the same rules (scoring/rescore/, calc_rescored) and the difference is given back (or taken,
-- should the corrected value score lower). The points are on the item's block scale (as
-- 扣分明细 shows them); their share of the 100-point total is rescaled like the block's own
-- rows (× 100 / Σ points of the unit's applicable blocks). Not bonus-capped.
CREATE OR REPLACE TEMP TABLE calc_appeals AS
WITH
by_points AS (
    SELECT
        r.*,
        (r.lost - r.corrected_lost)::DECIMAL(38, 12) AS given_back,
        NULL::VARCHAR AS rescored_reason
    FROM appeal_rulings AS r
    WHERE r.quarter = $quarter AND r.ruling = '更正' AND r.corrected_field IS NULL
),

by_value AS (
    SELECT
        r.*,
        (x.rescored_points - x.filed_points)::DECIMAL(38, 12) AS given_back,
        x.rescored_reason
    FROM appeal_rulings AS r
    JOIN calc_rescored AS x ON x.unit_code = r.unit_code AND x.item_code = r.item_code
    WHERE r.quarter = $quarter AND r.ruling = '更正' AND r.corrected_field IS NOT NULL
)

SELECT *, shown_value(lost - given_back) AS lost_after FROM by_points
UNION ALL
SELECT *, shown_value(lost - given_back) AS lost_after FROM by_value;

INSERT INTO appeal_outcomes (quarter, unit_code, item_code, given_back, lost_after)
SELECT $quarter, unit_code, item_code, given_back, lost_after
FROM calc_appeals;

INSERT INTO calc_adjustments
WITH
applicable AS (
    SELECT unit_code, block FROM calc_tasks WHERE applicable
    UNION
    SELECT unit_code, block FROM calc_indicators WHERE applicable
    UNION
    SELECT unit_code, block FROM calc_fire WHERE applicable
    UNION
    SELECT unit_code, block FROM calc_reporting WHERE applicable
),

scale AS (
    SELECT a.unit_code, sum(s.points) AS applicable_points
    FROM applicable AS a
    JOIN stg_units AS u ON u.unit_code = a.unit_code
    JOIN scheme_blocks AS s ON s.grp = u.grp AND s.block = a.block
    GROUP BY a.unit_code
)

SELECT
    r.unit_code,
    'adjustment',
    format('申诉更正:{}', r.item_code),
    format('申诉更正：{}', r.item_name),
    0::DECIMAL(38, 12),
    coalesce(dec_div(dec_mul(r.given_back, 100), c.applicable_points), 0)::DECIMAL(38, 12),
    CASE WHEN r.corrected_field IS NULL THEN
        format('申诉更正：{}原失分{}分，经申诉更正为{}分，返还{}分{}（依据{} {}!{}）',
            r.item_name, fmt_num(r.lost), fmt_num(r.corrected_lost), fmt_num(r.given_back),
            CASE WHEN r.note IS NULL THEN '' ELSE '：' || r.note END,
            r.file_name, '申诉处理', r.ruling_cell)
    ELSE
        format('申诉更正：{}的{}经申诉更正为“{}”，按同一规则重新计分（{}），{}{}分{}（依据{} {}!{}）',
            r.item_name, r.corrected_label, r.corrected_value, r.rescored_reason,
            CASE WHEN r.given_back < 0 THEN '扣减' ELSE '返还' END, fmt_num(abs(r.given_back)),
            CASE WHEN r.note IS NULL THEN '' ELSE '：' || r.note END,
            r.file_name, '申诉处理', r.ruling_cell)
    END,
    '申诉更正',
    r.sha256,
    '申诉处理',
    r.ruling_cell,
    true
FROM calc_appeals AS r
JOIN stg_units AS u ON u.unit_code = r.unit_code
JOIN scale AS c ON c.unit_code = r.unit_code;
