-- 申诉更正 of an input value (a task's 完成日期, an indicator's 数值 …): the office's rulings
-- that correct what a unit filed are applied to the staging rows, so that the quarter's own
-- stage files (20_tasks.sql, 30_indicators.sql) score those items again by the same rules.
-- The filed rows and their scores are kept aside first; 20_rescored.sql puts them back.
CREATE OR REPLACE TEMP TABLE filed_task_rows AS SELECT * FROM stg_task_rows;
CREATE OR REPLACE TEMP TABLE filed_indicator_rows AS SELECT * FROM stg_indicator_rows;
CREATE OR REPLACE TEMP TABLE filed_tasks AS SELECT * FROM calc_tasks;
CREATE OR REPLACE TEMP TABLE filed_indicators AS SELECT * FROM calc_indicators;

CREATE OR REPLACE TEMP TABLE value_rulings AS
SELECT unit_code, item_code, corrected_field, corrected_value
FROM appeal_rulings
WHERE quarter = $quarter AND ruling = '更正' AND corrected_field IS NOT NULL;

-- A task or an indicator the unit left out of its accepted file (漏报) gets a row of that file
-- to correct; a unit without an accepted file stays 未报送 (only points can be corrected).
INSERT INTO stg_task_rows (unit_code, sha256, task_id)
SELECT r.unit_code, a.sha256, r.item_code
FROM value_rulings AS r
JOIN stg_accepted AS a ON a.unit_code = r.unit_code
WHERE r.corrected_field IN ('status', 'done_date', 'times', 'evidence')
    AND NOT EXISTS (
        SELECT 1 FROM stg_task_rows AS t
        WHERE t.unit_code = r.unit_code AND t.task_id = r.item_code
    );

INSERT INTO stg_indicator_rows (quarter, unit_code, sha256, indicator_id)
SELECT $quarter, r.unit_code, a.sha256, r.item_code
FROM value_rulings AS r
JOIN stg_accepted AS a ON a.unit_code = r.unit_code
WHERE r.corrected_field = 'value'
    AND NOT EXISTS (
        SELECT 1 FROM stg_indicator_rows AS i
        WHERE i.quarter = $quarter AND i.unit_code = r.unit_code AND i.indicator_id = r.item_code
    );

-- The corrected value replaces the filed one (the value text is canonical: appeals.py typed it
-- as the column's own cells are typed).
UPDATE stg_task_rows AS t SET
    status = CASE WHEN r.corrected_field = 'status' THEN r.corrected_value ELSE t.status END,
    done_date = CASE
        WHEN r.corrected_field = 'done_date' THEN r.corrected_value::DATE ELSE t.done_date END,
    times = CASE
        WHEN r.corrected_field = 'times' THEN r.corrected_value::INTEGER ELSE t.times END,
    evidence = CASE WHEN r.corrected_field = 'evidence' THEN r.corrected_value ELSE t.evidence END
FROM value_rulings AS r
WHERE r.unit_code = t.unit_code AND r.item_code = t.task_id;

UPDATE stg_indicator_rows AS i SET
    value = r.corrected_value::DECIMAL(38, 12)
FROM value_rulings AS r
WHERE r.corrected_field = 'value'
    AND i.quarter = $quarter AND r.unit_code = i.unit_code AND r.item_code = i.indicator_id;
