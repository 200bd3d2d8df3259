-- Annual roll-up (SCORING.md §7): the mean of the quarterly totals (see divisor below),
-- 一票否决 if any quarter was vetoed, then graded and ranked by the quarter's rules (grade
-- bands on the shown total, vetoed units last, competition ranks, optional 优秀 share).
INSERT INTO annual_scores
WITH
quarters AS (
    SELECT unit_code, quarter, total, veto, veto_reason
    FROM unit_scores
    WHERE ranked AND quarter IN ($q1, $q2, $q3, $q4)
),

totals AS (
    SELECT
        u.unit_code,
        u.unit_name,
        u.grp,
        max(q.total) FILTER (WHERE q.quarter = $q1) AS q1_total,
        max(q.total) FILTER (WHERE q.quarter = $q2) AS q2_total,
        max(q.total) FILTER (WHERE q.quarter = $q3) AS q3_total,
        max(q.total) FILTER (WHERE q.quarter = $q4) AS q4_total,
        count(q.quarter)::INTEGER AS quarters_scored,
        coalesce(sum(q.total), 0) AS sum_total,
        coalesce(bool_or(q.veto), false) AS veto,
        string_agg(q.quarter || '：' || coalesce(q.veto_reason, '一票否决'), '；' ORDER BY q.quarter)
            FILTER (WHERE q.veto) AS veto_reason
    FROM units AS u
    LEFT JOIN quarters AS q ON q.unit_code = u.unit_code
    WHERE u.ranked
    GROUP BY u.unit_code, u.unit_name, u.grp
),

-- Once Q4 is scored the year is final: the mean of the four quarters, a quarter not scored
-- counting as 0. Before, it is provisional (SCORING.md "Annual before Q4"): the mean over the
-- quarters scored so far, so that a mid-year run does not grade every unit 不合格.
divisor AS (
    SELECT CASE WHEN bool_or(quarter = $q4) THEN 4 ELSE count(DISTINCT quarter) END AS quarters
    FROM unit_scores
    WHERE quarter IN ($q1, $q2, $q3, $q4)
),

averaged AS (
    SELECT t.*, shown_value(dec_div(t.sum_total, d.quarters))::DECIMAL(18, 2) AS total
    FROM totals AS t
    CROSS JOIN divisor AS d
),

graded AS (
    SELECT
        a.*,
        grade_band(a.total) AS band
    FROM averaged AS a
),

ranked AS (
    SELECT
        *,
        competition_rank(grp, veto, total) AS rank,
        count(*) OVER (PARTITION BY grp) AS group_size
    FROM graded
)

SELECT
    $year AS year,
    r.unit_code,
    r.unit_name,
    r.grp,
    r.q1_total,
    r.q2_total,
    r.q3_total,
    r.q4_total,
    r.quarters_scored,
    r.total,
    final_grade(r.band, r.veto, r.rank, r.group_size) AS grade,
    r.veto,
    r.veto_reason,
    r.rank
FROM ranked AS r;
