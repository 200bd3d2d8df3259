-- 信息报送 (SCORING.md §5): who submitted, when, how late (in the scheme's time zone);
-- fills `submissions` for every unit of the registry and one ledger row per assessed unit.

CREATE OR REPLACE TEMP TABLE calc_submissions AS
WITH
rejected AS (
    SELECT unit_code, count(*) AS rejected_versions
    FROM stg_files
    WHERE status = 'rejected'
    GROUP BY unit_code
),

received AS (
    SELECT
        a.*,
        -- the receipt day in the scheme's time zone decides lateness, not the UTC day
        timezone($tz, a.received_at) AS received_local,
        greatest(0, timezone($tz, a.received_at)::DATE - $deadline::DATE) AS days_late
    FROM stg_accepted AS a
)

SELECT
    u.unit_code,
    CASE
        WHEN r.sha256 IS NOT NULL AND r.days_late = 0 THEN '按时报送'
        WHEN r.sha256 IS NOT NULL THEN '逾期报送'
        WHEN coalesce(j.rejected_versions, 0) > 0 THEN '仅有退回文件'
        ELSE '未报送'
    END AS status,
    r.sha256,
    r.file_name,
    r.received_at,
    r.received_local,
    r.days_late::INTEGER AS days_late,
    coalesce(j.rejected_versions, 0)::INTEGER AS rejected_versions
FROM units AS u
LEFT JOIN received AS r ON r.unit_code = u.unit_code
LEFT JOIN rejected AS j ON j.unit_code = u.unit_code;

INSERT INTO submissions
    (quarter, unit_code, status, sha256, file_name, received_at, days_late, rejected_versions)
SELECT $quarter, unit_code, status, sha256, file_name, received_at, days_late, rejected_versions
FROM calc_submissions;

CREATE OR REPLACE TEMP TABLE calc_reporting AS
WITH
penalty AS (
    SELECT num AS per_day FROM scheme_params WHERE key = 'late_penalty_per_day'
),

scored AS (
    SELECT
        u.unit_code,
        s.*,
        b.points AS max_points,
        CASE
            WHEN s.sha256 IS NULL THEN 0
            WHEN s.days_late = 0 THEN 1
            ELSE greatest(0, 1 - dec_mul(p.per_day, s.days_late))
        END::DECIMAL(38, 12) AS ratio,
        p.per_day
    FROM stg_units AS u
    JOIN calc_submissions AS s ON s.unit_code = u.unit_code
    JOIN scheme_blocks AS b ON b.grp = u.grp AND b.block = 'reporting'
    CROSS JOIN penalty AS p
)

SELECT
    unit_code,
    'reporting' AS block,
    'reporting' AS item_id,
    '信息报送' AS item_name,
    max_points,
    dec_mul(max_points, ratio) AS points,
    CASE status
        WHEN '按时报送' THEN format('文件「{}」于{}接收，报送截止日{}，按时报送，得分系数1',
            file_name, strftime(received_local, '%Y-%m-%d %H:%M'), fmt_date($deadline))
        WHEN '逾期报送' THEN format(
            '文件「{}」于{}接收，报送截止日{}，逾期{}天，每天扣{}，得分系数{}',
            file_name, strftime(received_local, '%Y-%m-%d %H:%M'), fmt_date($deadline),
            days_late, fmt_pct(per_day), fmt_num(ratio))
        WHEN '仅有退回文件' THEN format(
            '本季度报送的{}份文件均被退回，无有效文件，视为未报送，得分系数0', rejected_versions)
        ELSE format('截至评分时未收到本季度报送文件（截止日{}），得分系数0', fmt_date($deadline))
    END AS reason,
    CASE status
        WHEN '按时报送' THEN 'REPORT_ON_TIME'
        WHEN '逾期报送' THEN 'REPORT_LATE'
        WHEN '仅有退回文件' THEN 'REPORT_REJECTED_ONLY'
        ELSE 'REPORT_MISSING'
    END AS rule_id,
    sha256 AS source_sha256,
    NULL::VARCHAR AS source_sheet,
    NULL::VARCHAR AS source_cell,
    true AS applicable
FROM scored;
