-- unit_scores (SCORING.md §7): block scores and total as sums of the ledger, grade, 一票否决,
-- competition rank within the group (non-vetoed first), optional 优秀 share, rank change.
INSERT INTO unit_scores
WITH
params AS (
    SELECT
        max(text) FILTER (WHERE key = 'veto_grade')               AS veto_grade,
        max(num) FILTER (WHERE key = 'excellent_enabled') = 1     AS excellent_enabled,
        max(num) FILTER (WHERE key = 'excellent_share')           AS excellent_share,
        max(text) FILTER (WHERE key = 'excellent_fallback_grade') AS fallback_grade
    FROM scheme_params
),

top_grade AS (
    SELECT arg_max(grade, min_total) AS grade FROM scheme_grades
),

blocks AS (
    SELECT
        unit_code,
        max(score) FILTER (WHERE block = 'tasks')             AS tasks_score,
        max(score) FILTER (WHERE block = 'indicators')        AS indicators_score,
        max(score) FILTER (WHERE block = 'fire')              AS fire_score,
        max(score) FILTER (WHERE block = 'reporting')         AS reporting_score,
        max(block_points) FILTER (WHERE block = 'tasks')      AS tasks_max,
        max(block_points) FILTER (WHERE block = 'indicators') AS indicators_max,
        max(block_points) FILTER (WHERE block = 'fire')       AS fire_max,
        max(block_points) FILTER (WHERE block = 'reporting')  AS reporting_max
    FROM calc_blocks
    GROUP BY unit_code
),

sums AS (
    SELECT
        unit_code,
        coalesce(sum(contribution) FILTER (
            WHERE block IN ('tasks', 'indicators', 'fire', 'reporting')), 0) AS base,
        coalesce(sum(points) FILTER (
            WHERE rule_id IN ('ADJ_BONUS', 'ADJ_BONUS_CAP')), 0) AS bonus,
        coalesce(-sum(points) FILTER (WHERE rule_id = 'ADJ_DEDUCTION'), 0) AS deductions,
        round_total(sum(contribution)) AS total
    FROM ledger
    WHERE quarter = $quarter
    GROUP BY unit_code
),

graded AS (
    SELECT
        u.unit_code,
        u.unit_name,
        u.grp,
        s.base,
        s.bonus,
        s.deductions,
        s.total,
        v.unit_code IS NOT NULL AS veto,
        v.veto_reason,
        a.unit_code IS NOT NULL AS submitted,
        -- grade bands on the shown (rounded) total, lower bounds inclusive
        (SELECT arg_max(g.grade, g.min_total) FROM scheme_grades AS g WHERE g.min_total <= s.total)
            AS band
    FROM stg_units AS u
    JOIN sums AS s ON s.unit_code = u.unit_code
    LEFT JOIN calc_veto AS v ON v.unit_code = u.unit_code
    LEFT JOIN stg_accepted AS a ON a.unit_code = u.unit_code
),

ranked AS (
    SELECT
        *,
        -- competition ranking (1, 2, 2, 4); vetoed units after all others
        rank() OVER (PARTITION BY grp ORDER BY veto, total DESC)::INTEGER AS rank,
        count(*) OVER (PARTITION BY grp) AS group_size
    FROM graded
),

final_grade AS (
    SELECT
        r.*,
        CASE
            WHEN r.veto THEN p.veto_grade
            -- optional: 优秀 only within the top share of the group, by rank
            WHEN p.excellent_enabled AND r.band = t.grade
                AND r.rank > floor(dec_mul(p.excellent_share, r.group_size))
                THEN p.fallback_grade
            ELSE r.band
        END AS grade
    FROM ranked AS r
    CROSS JOIN params AS p
    CROSS JOIN top_grade AS t
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
    (f.bonus - f.deductions)::DECIMAL(38, 12) AS adjustment,
    f.total,
    f.grade,
    f.veto,
    f.veto_reason,
    f.rank,
    p.rank - f.rank AS rank_change,
    f.submitted
FROM final_grade AS f
JOIN blocks AS b ON b.unit_code = f.unit_code
LEFT JOIN previous AS p ON p.unit_code = f.unit_code;
