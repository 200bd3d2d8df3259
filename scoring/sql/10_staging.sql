-- Staging: this quarter's inputs, renamed and filtered; no rules here.

-- Units that are assessed and ranked (是否参与考核 = 是).
CREATE OR REPLACE TEMP TABLE stg_units AS
SELECT unit_code, unit_name, grp, nullif(trim(region), '') AS region, place_types
FROM units
WHERE ranked;

-- Every version of every unit's file for the quarter, with its status.
CREATE OR REPLACE TEMP TABLE stg_files AS
SELECT unit_code, sha256, file_name, received_at, status
FROM file_versions
WHERE quarter = $quarter;

-- The accepted (newest valid) file of each unit for the quarter.
CREATE OR REPLACE TEMP TABLE stg_accepted AS
SELECT unit_code, sha256, file_name, received_at
FROM stg_files
WHERE status = 'accepted';

-- 任务进展 rows of the accepted files; a task written twice counts by its first row.
CREATE OR REPLACE TEMP TABLE stg_task_rows AS
WITH rows AS (
    SELECT
        a.unit_code,
        r.*,
        row_number() OVER (PARTITION BY r.sha256, r.task_id ORDER BY r.excel_row) AS nth
    FROM stg_accepted AS a
    JOIN raw_task_rows AS r ON r.sha256 = a.sha256
)
SELECT
    rows.unit_code,
    rows.sha256,
    rows.excel_row,
    rows.task_id,
    rows.status,
    rows.done_date,
    rows.times,
    nullif(trim(rows.evidence), '') AS evidence,
    cell_ref(cs.col_letter, rows.excel_row) AS status_cell,
    cell_ref(ct.col_letter, rows.excel_row) AS times_cell
FROM rows
LEFT JOIN raw_columns AS cs
    ON cs.sha256 = rows.sha256 AND cs.sheet = '任务进展' AND cs.field = 'status'
LEFT JOIN raw_columns AS ct
    ON ct.sha256 = rows.sha256 AND ct.sheet = '任务进展' AND ct.field = 'times'
WHERE rows.nth = 1;

-- 工作指标 rows of each unit's accepted file of every quarter of the year up to this one
-- (year_min indicators add them up at Q4).
CREATE OR REPLACE TEMP TABLE stg_indicator_rows AS
WITH files AS (
    SELECT quarter, unit_code, sha256
    FROM file_versions
    WHERE status = 'accepted' AND list_contains($ytd_quarters, quarter)
),
rows AS (
    SELECT
        f.quarter,
        f.unit_code,
        r.*,
        row_number() OVER (
            PARTITION BY f.quarter, f.unit_code, r.indicator_id ORDER BY r.excel_row
        ) AS nth
    FROM files AS f
    JOIN raw_indicator_rows AS r ON r.sha256 = f.sha256
)
SELECT
    rows.quarter,
    rows.unit_code,
    rows.sha256,
    rows.excel_row,
    rows.indicator_id,
    rows.value,
    rows.denominator,
    cell_ref(cv.col_letter, rows.excel_row) AS value_cell,
    cell_ref(cd.col_letter, rows.excel_row) AS denominator_cell
FROM rows
LEFT JOIN raw_columns AS cv
    ON cv.sha256 = rows.sha256 AND cv.sheet = '工作指标' AND cv.field = 'value'
LEFT JOIN raw_columns AS cd
    ON cd.sha256 = rows.sha256 AND cd.sheet = '工作指标' AND cd.field = 'denominator'
WHERE rows.nth = 1;

-- Fires YTD: the fire detachment's accepted 火灾情况 files of the year's quarters up to Q.
CREATE OR REPLACE TEMP TABLE stg_fires_ytd AS
WITH files AS (
    SELECT quarter, sha256
    FROM file_versions
    WHERE unit_code = $fire_unit AND status = 'accepted' AND list_contains($ytd_quarters, quarter)
),
rows AS (
    SELECT
        f.quarter,
        r.*,
        row_number() OVER (PARTITION BY r.fire_id ORDER BY f.quarter, r.excel_row) AS nth
    FROM files AS f
    JOIN raw_fire_rows AS r ON r.sha256 = f.sha256
)
SELECT quarter, sha256, excel_row, fire_id, fire_time, street_code, place_type,
       deaths, injuries, loss, grade
FROM rows
WHERE nth = 1;

-- Baseline: fires of the same period last year, from last year's accepted detachment files
-- and the history files (a history fire already in the warehouse counts once).
CREATE OR REPLACE TEMP TABLE stg_fires_base AS
WITH files AS (
    SELECT sha256
    FROM file_versions
    WHERE unit_code = $fire_unit AND status = 'accepted' AND list_contains($ly_quarters, quarter)
),
warehouse AS (
    SELECT DISTINCT ON (r.fire_id)
        r.fire_id, r.fire_time, r.street_code, r.place_type, r.deaths, r.injuries, r.loss
    FROM files AS f
    JOIN raw_fire_rows AS r ON r.sha256 = f.sha256
    ORDER BY r.fire_id, r.fire_time
),
history AS (
    SELECT h.fire_id, h.fire_time, h.street_code, h.place_type, h.deaths, h.injuries, h.loss
    FROM history_fires AS h
    WHERE h.fire_id NOT IN (SELECT fire_id FROM warehouse)
),
both_sources AS (
    SELECT * FROM warehouse
    UNION ALL
    SELECT * FROM history
)
SELECT *
FROM both_sources
WHERE fire_time::DATE BETWEEN $ly_start AND $ly_end;

-- 加减分 rows of the office's accepted file for the quarter.
CREATE OR REPLACE TEMP TABLE stg_adjustments AS
SELECT
    r.sha256,
    r.excel_row,
    r.unit_code,
    trim(r.item) AS item,
    r.points AS given_points,
    nullif(trim(r.reason), '') AS reason,
    nullif(trim(r.doc_no), '') AS doc_no,
    r.adj_date,
    cell_ref(c.col_letter, r.excel_row) AS item_cell
FROM stg_files AS f
JOIN raw_adjustment_rows AS r ON r.sha256 = f.sha256
LEFT JOIN raw_columns AS c
    ON c.sha256 = r.sha256 AND c.sheet = '加减分' AND c.field = 'item'
WHERE f.unit_code = $adj_unit AND f.status = 'accepted';
