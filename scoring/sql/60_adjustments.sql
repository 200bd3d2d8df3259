-- 加减分 (SCORING.md §6): one ledger row per row of the office's 加减分 sheet for an assessed
-- unit, plus a cap row when the quarter's bonuses exceed the cap. The sign comes from the
-- 事项; 分值, when given, overrides the size.
CREATE OR REPLACE TEMP TABLE calc_adjustments AS
WITH
cap AS (
    SELECT num AS bonus_cap FROM scheme_params WHERE key = 'bonus_cap'
),

signed AS (
    SELECT
        a.*,
        t.is_bonus,
        t.points AS default_points,
        (sign(t.points) * coalesce(abs(a.given_points), abs(t.points)))::DECIMAL(38, 12) AS points
    FROM stg_adjustments AS a
    JOIN stg_units AS u ON u.unit_code = a.unit_code
    JOIN scheme_adjustment_types AS t ON t.item = a.item
),

rows AS (
    SELECT
        unit_code,
        'adjustment' AS block,
        format('加减分第{}行', excel_row) AS item_id,
        item AS item_name,
        0::DECIMAL(38, 12) AS max_points,
        points,
        format('{}{}{}：{}{}分{}',
            item,
            CASE WHEN reason IS NULL THEN '' ELSE '（' || reason || '）' END,
            CASE
                WHEN doc_no IS NULL AND adj_date IS NULL THEN ''
                ELSE format('，依据{}{}', coalesce(doc_no, ''),
                    CASE WHEN adj_date IS NULL THEN '' ELSE '（' || fmt_date(adj_date) || '）' END)
            END,
            CASE WHEN is_bonus THEN '加' ELSE '减' END,
            fmt_num(abs(points)),
            CASE WHEN given_points IS NULL THEN '' ELSE '（按表中分值）' END) AS reason,
        CASE WHEN is_bonus THEN 'ADJ_BONUS' ELSE 'ADJ_DEDUCTION' END AS rule_id,
        sha256 AS source_sha256,
        '加减分' AS source_sheet,
        item_cell AS source_cell,
        excel_row
    FROM signed
),

bonus AS (
    SELECT unit_code, sum(points) AS bonus
    FROM rows
    WHERE rule_id = 'ADJ_BONUS'
    GROUP BY unit_code
)

SELECT unit_code, block, item_id, item_name, max_points, points, reason, rule_id,
       source_sha256, source_sheet, source_cell, true AS applicable
FROM rows

UNION ALL

-- Bonuses add up to at most the cap per quarter; deductions are not capped.
SELECT
    b.unit_code,
    'adjustment',
    'bonus_cap',
    '加分上限',
    0,
    (c.bonus_cap - b.bonus)::DECIMAL(38, 12),
    format('本季度加分合计{}分，超过上限{}分，按{}分计', fmt_num(b.bonus), fmt_num(c.bonus_cap),
        fmt_num(c.bonus_cap)),
    'ADJ_BONUS_CAP',
    NULL, NULL, NULL,
    true
FROM bonus AS b
CROSS JOIN cap AS c
WHERE b.bonus > c.bonus_cap;
