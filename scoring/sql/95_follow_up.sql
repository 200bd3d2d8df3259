-- 整改跟踪 (follow-up, docs/follow_up.md): the items a unit lost points on last quarter, seen
-- again this quarter. Changes no score; the writers show it beside 扣分明细 and 整改建议.
--
-- The same item is the same (block, item_id) of the ledger: a task id (T05), an indicator id
-- (I02), a fire item (起数, 亡人, 受伤, 直接财产损失) or 信息报送. 加减分 rows (an event, not an item
-- of work), the 申诉更正 rows (block adjustment) and the clamp are not items to follow up.
-- A loss is the 失分 shown in 扣分明细 less what the office's rulings (申诉处理, 更正) gave back
-- for that item in that quarter: a loss corrected away on appeal was not a loss.
--
-- Quarters in a row are counted backwards from this quarter over the scheme year's quarters
-- (task and indicator ids are the year's own: last year's T05 is another task). A quarter not
-- scored in the warehouse has no losses, so it breaks the chain.
INSERT INTO follow_up
WITH
names AS (
    SELECT block, min(block_name) AS block_name
    FROM scheme_blocks
    GROUP BY block
),

-- points the rulings gave back (corrected points, or a corrected input scored again: as shown,
-- 原失分 − 处理后失分, appeal_outcomes), keyed by the 项目编号 of the appeal forms (code, else
-- 板块·项目)
given_back AS (
    SELECT r.quarter, r.unit_code, r.item_code AS form_key, sum(r.lost - o.lost_after) AS points
    FROM appeal_rulings AS r
    JOIN appeal_outcomes AS o
        ON o.quarter = r.quarter AND o.unit_code = r.unit_code AND o.item_code = r.item_code
    WHERE r.ruling = '更正' AND list_contains($ytd_quarters, r.quarter)
    GROUP BY r.quarter, r.unit_code, r.item_code
),

items AS (
    SELECT
        l.quarter,
        list_position($ytd_quarters, l.quarter) AS quarter_no,
        l.unit_code,
        l.block,
        l.item_id,
        l.item_order,
        l.item_code,
        l.item_name,
        greatest(l.lost - coalesce(g.points, 0), 0)::DECIMAL(18, 2) AS lost
    FROM shown_ledger AS l
    JOIN names AS n ON n.block = l.block
    LEFT JOIN given_back AS g
        ON g.quarter = l.quarter
        AND g.unit_code = l.unit_code
        AND g.form_key = coalesce(l.item_code, n.block_name || '·' || l.item_name)
    WHERE list_contains($ytd_quarters, l.quarter)
        AND l.block IN ('tasks', 'indicators', 'fire', 'reporting')
),

-- quarters in a row (gaps and islands): consecutive quarter numbers share quarter_no − n
losses AS (
    SELECT
        *,
        quarter_no - row_number() OVER (
            PARTITION BY unit_code, block, item_id ORDER BY quarter_no
        ) AS island
    FROM items
    WHERE lost > 0
),

streaks AS (
    SELECT
        *,
        -- quarters in a row up to and including this row's quarter
        count(*) OVER (
            PARTITION BY unit_code, block, item_id, island ORDER BY quarter_no
            ROWS UNBOUNDED PRECEDING
        )::INTEGER AS streak
    FROM losses
),

this_quarter AS (
    SELECT * FROM items WHERE quarter = $quarter
),

last_quarter AS (
    SELECT * FROM streaks WHERE quarter = $prev_quarter
)

SELECT
    $quarter,
    t.unit_code,
    t.block,
    t.item_id,
    t.item_order,
    t.item_code,
    t.item_name,
    CASE WHEN t.lost > 0 THEN '连续失分' ELSE '已整改' END AS status,
    CASE WHEN t.lost > 0 THEN p.streak + 1 ELSE p.streak END AS streak,
    t.lost,
    p.lost AS previous_lost
FROM this_quarter AS t
JOIN last_quarter AS p
    ON p.unit_code = t.unit_code AND p.block = t.block AND p.item_id = t.item_id;
