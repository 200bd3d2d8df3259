-- 工作指标 (SCORING.md §3): one ledger row per indicator of the unit's group.
-- ratio r in [0, 1] by kind; a rate with 分母 0 or blank is not applicable;
-- indicator max = block points × points / Σ points of the applicable indicators; points = max × r.
CREATE OR REPLACE TEMP TABLE calc_indicators AS
WITH
default_region AS (
    SELECT text AS region FROM scheme_params WHERE key = 'default_region'
),

due AS (
    SELECT
        u.unit_code,
        u.grp,
        i.indicator_id,
        i.name,
        i.kind,
        i.points AS indicator_points,
        i.sort_order,
        coalesce(t.region, d.region) AS region,
        coalesce(t.target, td.target) AS target
    FROM stg_units AS u
    CROSS JOIN default_region AS d
    JOIN scheme_indicators AS i ON i.grp = u.grp
    -- the unit's 区域类型 when the scheme knows it, else the default region
    LEFT JOIN scheme_indicator_targets AS t
        ON t.indicator_id = i.indicator_id AND t.quarter_no = $quarter_no AND t.region = u.region
    LEFT JOIN scheme_indicator_targets AS td
        ON td.indicator_id = i.indicator_id AND td.quarter_no = $quarter_no AND td.region = d.region
),

year_totals AS (
    SELECT unit_code, indicator_id, sum(coalesce(value, 0)) AS ytd_value, count(*) AS quarters
    FROM stg_indicator_rows
    GROUP BY unit_code, indicator_id
),

reported AS (
    SELECT
        d.*,
        s.sha256 AS submitted_sha256,
        r.sha256 AS row_sha256,
        r.value,
        r.denominator,
        r.value_cell,
        r.denominator_cell,
        y.ytd_value,
        CASE
            WHEN s.sha256 IS NULL THEN 'no_submission'
            WHEN r.sha256 IS NULL THEN 'missing'
            WHEN d.kind = 'rate' AND coalesce(r.denominator, 0) = 0 THEN 'rate_na'
            WHEN d.kind = 'rate' THEN 'rate'
            WHEN d.kind = 'count_min' THEN 'count'
            WHEN d.kind = 'year_min' AND $quarter_no = 4 THEN 'year_total'
            ELSE 'year_reported'
        END AS situation
    FROM due AS d
    LEFT JOIN stg_accepted AS s ON s.unit_code = d.unit_code
    LEFT JOIN stg_indicator_rows AS r
        ON r.unit_code = d.unit_code AND r.indicator_id = d.indicator_id AND r.quarter = $quarter
    LEFT JOIN year_totals AS y ON y.unit_code = d.unit_code AND y.indicator_id = d.indicator_id
),

ratios AS (
    SELECT
        *,
        situation <> 'rate_na' AS applicable,
        dec_div(coalesce(value, 0), denominator) AS rate,
        CASE situation
            WHEN 'no_submission' THEN 0
            WHEN 'missing' THEN 0
            WHEN 'rate_na' THEN 0
            -- min(1, (value / 分母) / target); a zero target is met by anything
            WHEN 'rate' THEN least(1, coalesce(
                dec_div(greatest(coalesce(value, 0), 0), dec_mul(denominator, target)), 1))
            WHEN 'count' THEN least(1, coalesce(dec_div(greatest(coalesce(value, 0), 0), target), 1))
            WHEN 'year_total' THEN least(1, coalesce(dec_div(greatest(ytd_value, 0), target), 1))
            ELSE 1
        END::DECIMAL(38, 12) AS ratio
    FROM reported
),

scaled AS (
    SELECT
        r.*,
        b.points AS block_points,
        sum(r.indicator_points) FILTER (WHERE r.applicable)
            OVER (PARTITION BY r.unit_code) AS applicable_points,
        format('指标{}「{}」', r.indicator_id, r.name) AS subject
    FROM ratios AS r
    JOIN scheme_blocks AS b ON b.grp = r.grp AND b.block = 'indicators'
),

with_max AS (
    SELECT
        *,
        CASE WHEN applicable
            THEN dec_div(dec_mul(block_points, indicator_points), applicable_points)
            ELSE 0
        END AS max_points
    FROM scaled
)

SELECT
    unit_code,
    'indicators' AS block,
    indicator_id AS item_id,
    name AS item_name,
    max_points::DECIMAL(38, 12) AS max_points,
    dec_mul(max_points, ratio) AS points,
    CASE situation
        WHEN 'no_submission' THEN format('本季度未报送有效文件，{}得分系数0', subject)
        WHEN 'missing' THEN format('{}未在工作指标表中填报（漏报），得分系数0', subject)
        WHEN 'rate_na' THEN format('{}分母为{}，本单位不适用', subject,
            CASE WHEN denominator IS NULL THEN '空' ELSE fmt_num(denominator) END)
        WHEN 'rate' THEN format('{}数值{}，分母{}，比率{}，目标{}（{}，{}），得分系数{}',
            subject, fmt_num(value), fmt_num(denominator), fmt_pct(rate), fmt_pct(target),
            region, $quarter_label, fmt_num(ratio))
        WHEN 'count' THEN format('{}本季度{}，要求不少于{}，得分系数{}',
            subject, fmt_num(value), fmt_num(target), fmt_num(ratio))
        WHEN 'year_total' THEN format('{}全年累计{}（各季度采纳数值之和），要求不少于{}，得分系数{}',
            subject, fmt_num(ytd_value), fmt_num(target), fmt_num(ratio))
        ELSE format('{}按年考核、第四季度核算，本季度已填报，得分系数1', subject)
    END AS reason,
    CASE situation
        WHEN 'no_submission' THEN 'IND_NO_SUBMISSION'
        WHEN 'missing' THEN 'IND_MISSING'
        WHEN 'rate_na' THEN 'IND_RATE_NA'
        WHEN 'rate' THEN 'IND_RATE'
        WHEN 'count' THEN 'IND_COUNT'
        WHEN 'year_total' THEN 'IND_YEAR_TOTAL'
        ELSE 'IND_YEAR_REPORTED'
    END AS rule_id,
    coalesce(row_sha256, submitted_sha256) AS source_sha256,
    CASE WHEN submitted_sha256 IS NOT NULL THEN '工作指标' END AS source_sheet,
    CASE WHEN situation = 'rate_na' THEN denominator_cell ELSE value_cell END AS source_cell,
    applicable
FROM with_max

UNION ALL

-- A group with no indicator in the scheme: the block is not applicable.
SELECT
    u.unit_code, 'indicators', 'indicators', '工作指标', 0, 0,
    '本考核组无适用的工作指标，本项不适用，按其余板块折算', 'IND_NA', NULL, NULL, NULL, false
FROM stg_units AS u
WHERE u.grp NOT IN (SELECT grp FROM scheme_indicators);
