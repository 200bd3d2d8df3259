-- 申诉更正 (right of reply): each ruling 更正 gives back the lost points it corrects, as one
-- ledger row of its own (block adjustment, rule 申诉更正) with its source, the ruling's file and
-- cell; the disputed row itself is never edited. The points given back are on the item's block
-- scale (as 扣分明细 shows them); their share of the 100-point total is rescaled like the
-- block's own rows (× 100 / Σ points of the unit's applicable blocks). Not bonus-capped.
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
),

upheld AS (
    SELECT r.*, (r.lost - r.corrected_lost)::DECIMAL(38, 12) AS given_back
    FROM appeal_rulings AS r
    WHERE r.quarter = $quarter AND r.ruling = '更正'
)

SELECT
    r.unit_code,
    'adjustment',
    format('申诉更正:{}', r.item_code),
    format('申诉更正：{}', r.item_name),
    0::DECIMAL(38, 12),
    coalesce(dec_div(dec_mul(r.given_back, 100), c.applicable_points), 0)::DECIMAL(38, 12),
    format('申诉更正：{}原失分{}分，经申诉更正为{}分，返还{}分{}（依据{} {}!{}）',
        r.item_name, fmt_num(r.lost), fmt_num(r.corrected_lost), fmt_num(r.given_back),
        CASE WHEN r.note IS NULL THEN '' ELSE '：' || r.note END,
        r.file_name, '申诉处理', r.ruling_cell),
    '申诉更正',
    r.sha256,
    '申诉处理',
    r.ruling_cell,
    true
FROM upheld AS r
JOIN stg_units AS u ON u.unit_code = r.unit_code
JOIN scale AS c ON c.unit_code = r.unit_code;
