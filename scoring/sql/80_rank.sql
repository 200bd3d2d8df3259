-- unit_scores (SCORING.md §7): shown block scores and the total from them, grade, 一票否决,
-- competition rank within the group (non-vetoed first), optional 优秀 share, rank change.
INSERT INTO unit_scores
WITH
blocks AS (
    SELECT
        unit_code,
        max(shown_score) FILTER (WHERE block = 'tasks')       AS tasks_score,
        max(shown_score) FILTER (WHERE block = 'indicators')  AS indicators_score,
        max(shown_score) FILTER (WHERE block = 'fire')        AS fire_score,
        max(shown_score) FILTER (WHERE block = 'reporting')   AS reporting_score,
        max(block_points) FILTER (WHERE block = 'tasks')      AS tasks_max,
        max(block_points) FILTER (WHERE block = 'indicators') AS indicators_max,
        max(block_points) FILTER (WHERE block = 'fire')       AS fire_max,
        max(block_points) FILTER (WHERE block = 'reporting')  AS reporting_max
    FROM calc_blocks
    GROUP BY unit_code
),

sums AS (
    -- total = clamp(base + adjustment), both from the shown figures (calc_totals)
    SELECT unit_code, base, bonus, deductions, adjustment, shown_value(clamped) AS total
    FROM calc_totals
),

graded AS (
    SELECT
        u.unit_code,
        u.unit_name,
        u.grp,
        s.base,
        s.bonus,
        s.deductions,
        s.adjustment,
        s.total,
        v.unit_code IS NOT NULL AS veto,
        v.veto_reason,
        a.unit_code IS NOT NULL AS submitted,
        grade_band(s.total) AS band
    FROM stg_units AS u
    JOIN sums AS s ON s.unit_code = u.unit_code
    LEFT JOIN calc_veto AS v ON v.unit_code = u.unit_code
    LEFT JOIN stg_accepted AS a ON a.unit_code = u.unit_code
),

ranked AS (
    SELECT
        *,
        competition_rank(grp, veto, total) AS rank,
        count(*) OVER (PARTITION BY grp) AS group_size
    FROM graded
),

given_grade AS (
    SELECT *, final_grade(band, veto, rank, group_size) AS grade
    FROM ranked
),

previous AS (
    SELECT unit_code, rank
    FROM unit_scores
    WHERE quarter = $prev_quarter AND rank IS NOT NULL
)

SELECT
    $quarter AS quarter,
    f.unit_code,
    f.unit_name,
    f.grp,
    true AS ranked,
    b.tasks_score,
    b.indicators_score,
    b.fire_score,
    b.reporting_score,
    b.tasks_max,
    b.indicators_max,
    b.fire_max,
    b.reporting_max,
    f.base,
    f.bonus,
    f.deductions,
    f.adjustment,
    f.total,
    f.grade,
    f.veto,
    f.veto_reason,
    f.rank,
    p.rank - f.rank AS rank_change,
    f.submitted
FROM given_grade AS f
JOIN blocks AS b ON b.unit_code = f.unit_code
LEFT JOIN previous AS p ON p.unit_code = f.unit_code;
