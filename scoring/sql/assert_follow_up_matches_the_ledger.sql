-- 整改跟踪 follows the ledger as shown: an item lost again (连续失分) is a row of 扣分明细 this
-- quarter losing no more than shown there, after at least two quarters in a row; an item
-- recovered (已整改) lost nothing now (after rulings) and something last quarter.
SELECT f.unit_code, f.block, f.item_id, f.status, f.streak, f.lost, l.lost AS shown_lost
FROM follow_up AS f
LEFT JOIN shown_ledger AS l
    ON l.quarter = f.quarter
    AND l.unit_code = f.unit_code
    AND l.block = f.block
    AND l.item_id = f.item_id
WHERE f.quarter = $quarter
    AND (
        l.item_id IS NULL
        OR f.lost > l.lost
        OR f.previous_lost <= 0
        OR f.streak > list_position($ytd_quarters, $quarter)
        OR (f.status = '连续失分' AND (f.lost <= 0 OR f.streak < 2))
        OR (f.status = '已整改' AND (f.lost <> 0 OR f.streak < 1))
        OR f.status NOT IN ('连续失分', '已整改')
    );
