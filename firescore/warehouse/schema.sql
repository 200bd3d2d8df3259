-- firescore warehouse DDL. Idempotent: run at every connect.
-- Money and scores are DECIMAL(38,12); never DOUBLE in stored tables.

-- Registries and scheme tables are replaced every run (see registry.py, scheme.py).
CREATE TABLE IF NOT EXISTS units (
    unit_code   VARCHAR PRIMARY KEY,
    unit_name   VARCHAR NOT NULL,
    grp         VARCHAR NOT NULL,          -- 镇街组 | 部门组
    region      VARCHAR,                   -- 中心城区 | 其他 | NULL (= 其他)
    place_types VARCHAR[] NOT NULL,        -- 监管场所类型 (departments), [] when none
    ranked      BOOLEAN NOT NULL           -- 是否参与考核
);

CREATE TABLE IF NOT EXISTS tasks (
    task_id       VARCHAR PRIMARY KEY,
    title         VARCHAR NOT NULL,        -- 重点任务
    detail        VARCHAR,                 -- 具体工作
    deadline      DATE,                    -- 完成时限; NULL when ongoing
    deadline_text VARCHAR NOT NULL,        -- as written in 任务分解表
    ongoing       BOOLEAN NOT NULL,        -- 持续开展
    weight        DECIMAL(38, 12) NOT NULL -- 权重
);

CREATE TABLE IF NOT EXISTS task_assignments (
    task_id   VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,
    role      VARCHAR NOT NULL,            -- 牵头 | 配合 (a unit named as both is 牵头)
    PRIMARY KEY (task_id, unit_code)
);

-- Facts about the warehouse itself, e.g. which file identity its verdicts were made under.
CREATE TABLE IF NOT EXISTS warehouse_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Raw layer: append-only, content-addressed by sha256.
CREATE TABLE IF NOT EXISTS raw_files (
    sha256          VARCHAR NOT NULL,
    quarter         VARCHAR NOT NULL,
    unit_code       VARCHAR NOT NULL,      -- the inbox folder: the sender
    rel_path        VARCHAR NOT NULL,      -- relative to the inbox root
    file_name       VARCHAR NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    received_source VARCHAR NOT NULL,      -- 收件登记 | 文件修改时间
    size_bytes      BIGINT NOT NULL,
    file_format     VARCHAR NOT NULL,      -- xlsx | xls | csv | unknown
    encoding        VARCHAR,               -- csv only
    valid           BOOLEAN NOT NULL,      -- no error-level issue
    first_seen_run  VARCHAR NOT NULL,
    first_seen_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (quarter, unit_code, sha256)
);

CREATE TABLE IF NOT EXISTS raw_issues (
    sha256      VARCHAR NOT NULL,
    quarter     VARCHAR NOT NULL,
    unit_code   VARCHAR NOT NULL,
    severity    VARCHAR NOT NULL,          -- error | warning
    rule_id     VARCHAR NOT NULL,
    sheet       VARCHAR,
    cell        VARCHAR,                   -- A1 notation
    column_name VARCHAR,
    value       VARCHAR,
    expected    VARCHAR,
    message     VARCHAR NOT NULL           -- Chinese, names sheet!cell, value and expectation
);

-- What was in a quarter's inbox folder but not read as a submission, and why (Chinese):
-- a stray file, a sub-folder, a symbolic link, an unusable receipt-log row. Replaced per
-- quarter by each run: it describes the inbox as it is now.
CREATE TABLE IF NOT EXISTS inbox_notes (
    quarter   VARCHAR NOT NULL,
    unit_code VARCHAR,                     -- the unit folder it sits in, if any
    rel_path  VARCHAR NOT NULL,            -- relative to the inbox root
    reason    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw_columns (
    sha256     VARCHAR NOT NULL,
    sheet      VARCHAR NOT NULL,
    field      VARCHAR NOT NULL,
    col_letter VARCHAR NOT NULL,
    PRIMARY KEY (sha256, sheet, field)
);

CREATE TABLE IF NOT EXISTS raw_basic_info (
    sha256    VARCHAR PRIMARY KEY,
    unit_code VARCHAR,
    unit_name VARCHAR,
    quarter   VARCHAR,
    filler    VARCHAR,
    phone     VARCHAR,
    fill_date DATE
);

CREATE TABLE IF NOT EXISTS raw_task_rows (
    sha256    VARCHAR NOT NULL,
    excel_row INTEGER NOT NULL,
    task_id   VARCHAR NOT NULL,
    status    VARCHAR,                     -- 已完成 | 推进中 | 未启动 (normalized)
    done_date DATE,
    times     INTEGER,                     -- 本季度开展次数
    progress  VARCHAR,                     -- 进展情况
    evidence  VARCHAR                      -- 佐证材料
);

CREATE TABLE IF NOT EXISTS raw_indicator_rows (
    sha256       VARCHAR NOT NULL,
    excel_row    INTEGER NOT NULL,
    indicator_id VARCHAR NOT NULL,
    value        DECIMAL(38, 12),
    denominator  DECIMAL(38, 12),
    note         VARCHAR
);

CREATE TABLE IF NOT EXISTS raw_fire_rows (
    sha256      VARCHAR NOT NULL,
    excel_row   INTEGER NOT NULL,
    fire_id     VARCHAR NOT NULL,
    fire_time   TIMESTAMP NOT NULL,
    street_code VARCHAR NOT NULL,
    place_type  VARCHAR,
    cause       VARCHAR,
    deaths      INTEGER NOT NULL,
    injuries    INTEGER NOT NULL,
    loss        DECIMAL(38, 12) NOT NULL,  -- 直接财产损失（万元）
    grade       VARCHAR NOT NULL           -- given, or derived from the scheme's grade table
);

CREATE TABLE IF NOT EXISTS raw_adjustment_rows (
    sha256    VARCHAR NOT NULL,
    excel_row INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,
    item      VARCHAR NOT NULL,            -- 事项, a scheme adjustment type
    points    DECIMAL(38, 12),             -- 分值 override (positive), NULL = default
    reason    VARCHAR,
    doc_no    VARCHAR,
    adj_date  DATE
);

-- Earlier years' 火灾情况 files (history/): the columns of raw_fire_rows, keyed by the source
-- file's name instead of a sha256, so the two lists cannot drift apart.
CREATE TABLE IF NOT EXISTS history_fires AS
SELECT NULL::VARCHAR AS source_file, * EXCLUDE (sha256) FROM raw_fire_rows LIMIT 0;

-- Which version of a unit's quarter file is used: the newest valid one.
CREATE OR REPLACE VIEW file_versions AS
SELECT
    f.*,
    CASE
        WHEN NOT f.valid THEN 'rejected'
        WHEN row_number() OVER (
            PARTITION BY f.quarter, f.unit_code, f.valid
            ORDER BY f.received_at DESC, f.sha256
        ) = 1 THEN 'accepted'
        ELSE 'superseded'
    END AS status
FROM raw_files AS f;

-- Derived layer: rebuilt per quarter inside one transaction by scoring/runner.py.
CREATE TABLE IF NOT EXISTS ledger (
    quarter       VARCHAR NOT NULL,
    unit_code     VARCHAR NOT NULL,
    block         VARCHAR NOT NULL,        -- tasks | indicators | fire | reporting | adjustment | total
    item_id       VARCHAR NOT NULL,        -- task id, indicator id, fire item, adjustment row ...
    item_name     VARCHAR NOT NULL,        -- Chinese
    max_points    DECIMAL(38, 12) NOT NULL,-- on the block's own scale (0 for adjustments)
    points        DECIMAL(38, 12) NOT NULL,-- earned on the block's own scale (signed for adjustments)
    contribution  DECIMAL(38, 12) NOT NULL,-- share of the total after rescaling to 100
    reason        VARCHAR NOT NULL,        -- Chinese, why these points were earned or lost
    rule_id       VARCHAR NOT NULL,
    source_sha256 VARCHAR,
    source_sheet  VARCHAR,
    source_cell   VARCHAR
);

-- The ledger as shown (scoring/sql/90_shown_ledger.sql): 2 decimals by largest remainder, so
-- items add up to their block and full points to the block's full points; exact values beside.
CREATE TABLE IF NOT EXISTS shown_ledger (
    quarter          VARCHAR NOT NULL,
    unit_code        VARCHAR NOT NULL,
    block            VARCHAR NOT NULL,
    item_id          VARCHAR NOT NULL,
    item_order       INTEGER NOT NULL,      -- display order within the block (ties of rounding)
    item_code        VARCHAR,               -- 项目编号 shown: task / indicator id, else NULL
    item_name        VARCHAR NOT NULL,
    max_points       DECIMAL(18, 2) NOT NULL, -- shown full points (0 for adjustments)
    points           DECIMAL(18, 2) NOT NULL, -- shown points (signed for adjustments)
    lost             DECIMAL(18, 2) NOT NULL, -- 失分 shown: full − points; a deduction's size
    exact_max_points DECIMAL(38, 12) NOT NULL,
    exact_points     DECIMAL(38, 12) NOT NULL,
    contribution     DECIMAL(38, 12) NOT NULL,
    reason           VARCHAR NOT NULL,
    rule_id          VARCHAR NOT NULL,
    source_sha256    VARCHAR,
    source_sheet     VARCHAR,
    source_cell      VARCHAR
);

-- 整改跟踪 (follow-up, scoring/sql/95_follow_up.sql, docs/follow_up.md): per unit, the items
-- that lost points again this quarter (连续失分, with the quarters in a row) and the items lost
-- last quarter and not this one (已整改). Rebuilt per quarter with the ledger.
CREATE TABLE IF NOT EXISTS follow_up (
    quarter       VARCHAR NOT NULL,
    unit_code     VARCHAR NOT NULL,
    block         VARCHAR NOT NULL,        -- tasks | indicators | fire | reporting
    item_id       VARCHAR NOT NULL,        -- the same item: task id, indicator id, fire item ...
    item_order    INTEGER NOT NULL,        -- display order within the block (shown_ledger)
    item_code     VARCHAR,                 -- 项目编号 shown: task / indicator id, else NULL
    item_name     VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,        -- 连续失分 | 已整改
    streak        INTEGER NOT NULL,        -- quarters in a row lost, up to this one (连续失分)
                                           -- or up to last quarter (已整改)
    lost          DECIMAL(18, 2) NOT NULL, -- lost this quarter (0 when 已整改)
    previous_lost DECIMAL(18, 2) NOT NULL, -- lost last quarter
    PRIMARY KEY (quarter, unit_code, block, item_id)
);

CREATE TABLE IF NOT EXISTS unit_scores (
    quarter          VARCHAR NOT NULL,
    unit_code        VARCHAR NOT NULL,
    unit_name        VARCHAR NOT NULL,
    grp              VARCHAR NOT NULL,
    ranked           BOOLEAN NOT NULL,
    tasks_score      DECIMAL(38, 12),      -- NULL when the block is not applicable
    indicators_score DECIMAL(38, 12),
    fire_score       DECIMAL(38, 12),
    reporting_score  DECIMAL(38, 12),
    tasks_max        DECIMAL(38, 12),
    indicators_max   DECIMAL(38, 12),
    fire_max         DECIMAL(38, 12),
    reporting_max    DECIMAL(38, 12),
    base             DECIMAL(38, 12) NOT NULL,
    bonus            DECIMAL(38, 12) NOT NULL,  -- capped
    deductions       DECIMAL(38, 12) NOT NULL,  -- positive number
    adjustment       DECIMAL(38, 12) NOT NULL,  -- bonus - deductions
    total            DECIMAL(18, 2) NOT NULL,
    grade            VARCHAR NOT NULL,          -- 优秀 | 良好 | 合格 | 不合格
    veto             BOOLEAN NOT NULL,
    veto_reason      VARCHAR,
    rank             INTEGER,                   -- NULL when not ranked
    rank_change      INTEGER,                   -- previous rank - this rank; NULL in Q1 / new unit
    submitted        BOOLEAN NOT NULL,
    PRIMARY KEY (quarter, unit_code)
);

CREATE TABLE IF NOT EXISTS submissions (
    quarter           VARCHAR NOT NULL,
    unit_code         VARCHAR NOT NULL,
    status            VARCHAR NOT NULL,   -- 按时报送 | 逾期报送 | 仅有退回文件 | 未报送
    sha256            VARCHAR,            -- the version used
    file_name         VARCHAR,
    received_at       TIMESTAMPTZ,
    days_late         INTEGER,            -- 0 when on time, NULL when nothing accepted
    rejected_versions INTEGER NOT NULL,
    PRIMARY KEY (quarter, unit_code)
);

-- Annual roll-up (SCORING.md §7): rebuilt per year inside one transaction by scoring/annual.py.
CREATE TABLE IF NOT EXISTS annual_scores (
    year            INTEGER NOT NULL,
    unit_code       VARCHAR NOT NULL,
    unit_name       VARCHAR NOT NULL,
    grp             VARCHAR NOT NULL,
    q1_total        DECIMAL(18, 2),       -- the quarter's total; NULL when not scored (counts as 0)
    q2_total        DECIMAL(18, 2),
    q3_total        DECIMAL(18, 2),
    q4_total        DECIMAL(18, 2),
    quarters_scored INTEGER NOT NULL,
    total           DECIMAL(18, 2) NOT NULL,  -- mean of the four quarterly totals, half-up
    grade           VARCHAR NOT NULL,
    veto            BOOLEAN NOT NULL,         -- vetoed in any quarter
    veto_reason     VARCHAR,
    rank            INTEGER NOT NULL,
    PRIMARY KEY (year, unit_code)
);

-- Draft and final (征求意见稿 / 定稿): the draft's first publication, every finalisation and
-- reopening of a quarter, append-only.
-- A quarter is final while its newest event is 'final'; firescore/warehouse/releases.py.
CREATE TABLE IF NOT EXISTS quarter_releases (
    quarter  VARCHAR NOT NULL,
    seq      INTEGER NOT NULL,               -- 1, 2, ... per quarter, in order of events
    event    VARCHAR NOT NULL,               -- 'draft' (first publication), 'final' (定稿), 'reopen'
    by_name  VARCHAR NOT NULL,               -- who finalised or reopened
    happened_at TIMESTAMP NOT NULL,          -- when, local time of the scheme's time zone
    reason   VARCHAR,                        -- why a final quarter was reopened
    PRIMARY KEY (quarter, seq)
);
-- The run that published the draft or the final (an id derived from the inputs): a run of a
-- final quarter whose inputs are those it was finalised with changes nothing.
ALTER TABLE quarter_releases ADD COLUMN IF NOT EXISTS run_id VARCHAR;

-- Rulings on disputes (申诉处理), replaced per quarter by each run from the office's
-- inbox/<quarter>/申诉/申诉处理_<quarter>.xlsx (firescore/appeals.py). A 更正 becomes a ledger
-- row of rule 申诉更正 (scoring/sql/65_appeals.sql).
CREATE TABLE IF NOT EXISTS appeal_rulings (
    quarter        VARCHAR NOT NULL,
    unit_code      VARCHAR NOT NULL,
    item_code      VARCHAR NOT NULL,       -- 项目编号 on the forms
    item_name      VARCHAR NOT NULL,
    lost           DECIMAL(38, 12) NOT NULL,  -- the published lost points (block scale)
    ruling         VARCHAR NOT NULL,       -- 维持 or 更正
    corrected_lost DECIMAL(38, 12),        -- 更正: the lost points after the ruling
    claim          VARCHAR,
    note           VARCHAR,                -- 处理说明, shown to the unit
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    ruling_cell    VARCHAR,                -- the cell of 处理结果
    PRIMARY KEY (quarter, unit_code, item_code)
);
-- 更正 of an input value instead of points: the contract field corrected (status, done_date,
-- times, evidence of 任务进展; value of 工作指标), its header as the office chose it, and the
-- corrected value as canonical text (2026-06-15, 2, 已完成); scoring/rescore/ scores it.
ALTER TABLE appeal_rulings ADD COLUMN IF NOT EXISTS corrected_field VARCHAR;
ALTER TABLE appeal_rulings ADD COLUMN IF NOT EXISTS corrected_label VARCHAR;
ALTER TABLE appeal_rulings ADD COLUMN IF NOT EXISTS corrected_value VARCHAR;

-- What each 更正 gave back (derived, rebuilt per quarter by scoring/sql/65_appeals.sql): the
-- points on the item's block scale (a corrected input: re-scored points − filed points) and
-- the lost points after the ruling as shown (申诉处理 sheet, feedback).
CREATE TABLE IF NOT EXISTS appeal_outcomes (
    quarter    VARCHAR NOT NULL,
    unit_code  VARCHAR NOT NULL,
    item_code  VARCHAR NOT NULL,
    given_back DECIMAL(38, 12) NOT NULL,
    lost_after DECIMAL(38, 2) NOT NULL,
    PRIMARY KEY (quarter, unit_code, item_code)
);

-- What changed between versions: the cells the product read from each stored version (the
-- contract fields of every sheet, as typed; blank cells are not kept), keyed like its rows by
-- sha256. A version stored before this table existed has none (firescore/publish/changes.py says
-- so rather than guessing).
CREATE TABLE IF NOT EXISTS raw_cells (
    sha256    VARCHAR NOT NULL,
    sheet     VARCHAR NOT NULL,
    row_key   VARCHAR NOT NULL,            -- the row's unique key (任务编号 ...), else its row number; '' in 基本信息
    field     VARCHAR NOT NULL,
    excel_row INTEGER,                     -- NULL in a key/value sheet
    cell      VARCHAR NOT NULL,            -- A1 notation
    value     VARCHAR NOT NULL,            -- as the person typed it
    PRIMARY KEY (sha256, sheet, row_key, field)
);

-- Each run of a quarter and what it published (firescore/warehouse/runs.py), so a later run can
-- say what moved since. A run id derives from the inputs: a run repeated on the same inputs is
-- the same run, recorded once and moved to the end of the quarter's runs.
CREATE TABLE IF NOT EXISTS quarter_runs (
    quarter VARCHAR NOT NULL,
    run_id  VARCHAR NOT NULL,
    seq     INTEGER NOT NULL,                -- order of the quarter's runs, newest largest
    as_of   TIMESTAMPTZ NOT NULL,            -- the newest receipt time of the run's inbox
    PRIMARY KEY (quarter, run_id)
);

-- Per run and unit: the version used and the scores as published (2 decimals).
CREATE TABLE IF NOT EXISTS run_scores (
    quarter          VARCHAR NOT NULL,
    run_id           VARCHAR NOT NULL,
    unit_code        VARCHAR NOT NULL,
    sha256           VARCHAR,                -- the accepted version used; NULL when none
    file_name        VARCHAR,
    ranked           BOOLEAN,                -- NULL when the unit was not scored
    tasks_score      DECIMAL(18, 2),
    indicators_score DECIMAL(18, 2),
    fire_score       DECIMAL(18, 2),
    reporting_score  DECIMAL(18, 2),
    adjustment       DECIMAL(18, 2),
    total            DECIMAL(18, 2),
    grade            VARCHAR,
    rank             INTEGER,
    PRIMARY KEY (quarter, run_id, unit_code)
);

-- Per run: the rulings 更正 in force (申诉处理), so a new or changed ruling shows as a change.
CREATE TABLE IF NOT EXISTS run_rulings (
    quarter        VARCHAR NOT NULL,
    run_id         VARCHAR NOT NULL,
    unit_code      VARCHAR NOT NULL,
    item_code      VARCHAR NOT NULL,
    item_name      VARCHAR NOT NULL,
    lost           DECIMAL(38, 12) NOT NULL,
    corrected_lost DECIMAL(38, 12),
    note           VARCHAR,
    PRIMARY KEY (quarter, run_id, unit_code, item_code)
);
-- A ruling correcting an input value names it: 数值改为36 (NULL when it corrected the points).
ALTER TABLE run_rulings ADD COLUMN IF NOT EXISTS corrected VARCHAR;
