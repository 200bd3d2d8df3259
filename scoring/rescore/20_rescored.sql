-- The corrected items as scored again (calc_tasks / calc_indicators now hold the scores of the
-- corrected inputs) beside their filed scores; then the filed rows and scores are put back, so
-- every later stage sees the quarter as filed and the ruling only adds its own ledger row.
CREATE OR REPLACE TEMP TABLE calc_rescored AS
WITH
filed AS (
    SELECT * FROM filed_tasks
    UNION ALL
    SELECT * FROM filed_indicators
),

rescored AS (
    SELECT * FROM calc_tasks
    UNION ALL
    SELECT * FROM calc_indicators
)

SELECT
    r.unit_code,
    r.item_code,
    f.block,
    f.points AS filed_points,
    c.points AS rescored_points,
    c.reason AS rescored_reason
FROM value_rulings AS r
JOIN filed AS f ON f.unit_code = r.unit_code AND f.item_id = r.item_code
JOIN rescored AS c ON c.unit_code = f.unit_code AND c.block = f.block AND c.item_id = f.item_id;

CREATE OR REPLACE TEMP TABLE stg_task_rows AS SELECT * FROM filed_task_rows;
CREATE OR REPLACE TEMP TABLE stg_indicator_rows AS SELECT * FROM filed_indicator_rows;
CREATE OR REPLACE TEMP TABLE calc_tasks AS SELECT * FROM filed_tasks;
CREATE OR REPLACE TEMP TABLE calc_indicators AS SELECT * FROM filed_indicators;
