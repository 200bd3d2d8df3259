-- 重点任务落实 (SCORING.md §2): one ledger row per task a unit is named on.
-- weight w = 权重 × role weight; credit c from the scheme's credit table;
-- task max = block points × w / Σw, task points = max × c.
CREATE OR REPLACE TEMP TABLE calc_tasks AS
WITH
params AS (
    SELECT
        max(num) FILTER (WHERE key = 'late_per_month')           AS late_per_month,
        max(num) FILTER (WHERE key = 'late_floor')               AS late_floor,
        max(num) FILTER (WHERE key = 'days_per_month')::INTEGER  AS days_per_month,
        max(num) FILTER (WHERE key = 'ongoing_with_evidence')    AS ongoing_with_evidence,
        max(num) FILTER (WHERE key = 'ongoing_without_evidence') AS ongoing_without_evidence,
        max(num) FILTER (WHERE key = 'ongoing_not_done')         AS ongoing_not_done
    FROM scheme_params
),

assigned AS (
    SELECT
        u.unit_code,
        u.grp,
        t.task_id,
        t.title,
        t.deadline,
        t.ongoing,
        a.role,
        dec_mul(t.weight, r.weight) AS weight
    FROM stg_units AS u
    JOIN task_assignments AS a ON a.unit_code = u.unit_code
    JOIN tasks AS t ON t.task_id = a.task_id
    JOIN scheme_task_roles AS r ON r.role = a.role
),

unit_weights AS (
    SELECT unit_code, sum(weight) AS total_weight
    FROM assigned
    GROUP BY unit_code
),

reported AS (
    SELECT
        a.*,
        b.points AS block_points,
        w.total_weight,
        s.sha256 AS submitted_sha256,
        r.sha256 AS row_sha256,
        r.status,
        r.done_date,
        r.times,
        r.evidence,
        r.status_cell,
        r.times_cell,
        -- 完成时限 before the quarter's last day: overdue
        coalesce(a.deadline < $quarter_end, false) AS overdue
    FROM assigned AS a
    JOIN unit_weights AS w ON w.unit_code = a.unit_code
    JOIN scheme_blocks AS b ON b.grp = a.grp AND b.block = 'tasks'
    LEFT JOIN stg_accepted AS s ON s.unit_code = a.unit_code
    LEFT JOIN stg_task_rows AS r ON r.unit_code = a.unit_code AND r.task_id = a.task_id
),

situated AS (
    SELECT
        *,
        CASE
            WHEN submitted_sha256 IS NULL THEN 'no_submission'
            WHEN ongoing AND coalesce(times, 0) >= 1 AND evidence IS NOT NULL
                THEN 'ongoing_evidence'
            WHEN ongoing AND coalesce(times, 0) >= 1 THEN 'ongoing_no_evidence'
            WHEN ongoing THEN 'ongoing_none'
            WHEN row_sha256 IS NULL OR status IS NULL THEN 'missing'
            WHEN status = '已完成'
                AND (done_date IS NULL OR deadline IS NULL OR done_date <= deadline)
                THEN 'done_on_time'
            WHEN status = '已完成' THEN 'done_late'
            WHEN status = '推进中' THEN 'in_progress'
            WHEN status = '未启动' THEN 'not_started'
            ELSE 'missing'
        END AS situation,
        CASE WHEN done_date > deadline THEN done_date - deadline END AS days_late
    FROM reported
),

credited AS (
    SELECT
        s.*,
        p.days_per_month,
        -- months late = ceil(days late / days per month), in integers
        (s.days_late + p.days_per_month - 1) // p.days_per_month AS months_late,
        CASE s.situation
            WHEN 'no_submission' THEN 0
            WHEN 'ongoing_evidence' THEN p.ongoing_with_evidence
            WHEN 'ongoing_no_evidence' THEN p.ongoing_without_evidence
            WHEN 'ongoing_none' THEN p.ongoing_not_done
            WHEN 'done_late' THEN greatest(
                p.late_floor,
                1 - dec_mul(p.late_per_month, (s.days_late + p.days_per_month - 1) // p.days_per_month)
            )
            ELSE c.credit
        END::DECIMAL(38, 12) AS credit
    FROM situated AS s
    CROSS JOIN params AS p
    LEFT JOIN scheme_task_credits AS c
        ON c.overdue = s.overdue
        AND c.status = CASE s.situation
            WHEN 'done_on_time' THEN '已完成'
            WHEN 'in_progress' THEN '推进中'
            WHEN 'not_started' THEN '未启动'
            WHEN 'missing' THEN '漏报'
        END
),

scored AS (
    SELECT
        *,
        dec_div(dec_mul(block_points, weight), total_weight) AS max_points,
        format('任务{}「{}」（{}）', task_id, title, role) AS subject,
        coalesce(fmt_date(deadline), '未设定') AS deadline_text
    FROM credited
)

SELECT
    unit_code,
    'tasks' AS block,
    task_id AS item_id,
    title AS item_name,
    coalesce(max_points, 0)::DECIMAL(38, 12) AS max_points,
    coalesce(dec_mul(max_points, credit), 0)::DECIMAL(38, 12) AS points,
    CASE situation
        WHEN 'no_submission' THEN format('本季度未报送有效文件，{}得分系数0', subject)
        WHEN 'ongoing_evidence' THEN format(
            '持续开展{}本季度开展{}次，有佐证材料，得分系数{}', subject, times, fmt_num(credit))
        WHEN 'ongoing_no_evidence' THEN format(
            '持续开展{}本季度开展{}次，未提供佐证材料，得分系数{}', subject, times, fmt_num(credit))
        WHEN 'ongoing_none' THEN CASE
            WHEN row_sha256 IS NULL THEN format(
                '持续开展{}未在任务进展表中填报（漏报），得分系数{}', subject, fmt_num(credit))
            ELSE format('持续开展{}本季度开展次数为{}，得分系数{}',
                subject, coalesce(times::VARCHAR, '空'), fmt_num(credit))
            END
        WHEN 'missing' THEN format(
            '{}完成时限{}，未在任务进展表中填报（漏报），得分系数{}',
            subject, deadline_text, fmt_num(credit))
        WHEN 'done_on_time' THEN format(
            '{}完成时限{}，{}完成，得分系数{}',
            subject, deadline_text,
            CASE WHEN done_date IS NULL THEN '已' ELSE '于' || fmt_date(done_date) END,
            fmt_num(credit))
        WHEN 'done_late' THEN format(
            '{}完成时限{}，于{}完成，逾期{}天（按{}个月计），得分系数{}',
            subject, deadline_text, fmt_date(done_date), days_late, months_late, fmt_num(credit))
        ELSE format(
            '{}完成时限{}{}，状态{}，得分系数{}',
            subject, deadline_text, CASE WHEN overdue THEN '已逾期' ELSE '未到期' END,
            status, fmt_num(credit))
    END AS reason,
    CASE situation
        WHEN 'no_submission' THEN 'TASK_NO_SUBMISSION'
        WHEN 'ongoing_evidence' THEN 'TASK_ONGOING_EVIDENCE'
        WHEN 'ongoing_no_evidence' THEN 'TASK_ONGOING_NO_EVIDENCE'
        WHEN 'ongoing_none' THEN 'TASK_ONGOING_NONE'
        WHEN 'missing' THEN 'TASK_MISSING'
        WHEN 'done_on_time' THEN 'TASK_DONE_ON_TIME'
        WHEN 'done_late' THEN 'TASK_DONE_LATE'
        WHEN 'in_progress' THEN
            CASE WHEN overdue THEN 'TASK_IN_PROGRESS_OVERDUE' ELSE 'TASK_IN_PROGRESS_NOT_DUE' END
        ELSE CASE WHEN overdue THEN 'TASK_NOT_STARTED_OVERDUE' ELSE 'TASK_NOT_STARTED_NOT_DUE' END
    END AS rule_id,
    coalesce(row_sha256, submitted_sha256) AS source_sha256,
    CASE WHEN submitted_sha256 IS NOT NULL THEN '任务进展' END AS source_sheet,
    CASE WHEN ongoing THEN times_cell ELSE status_cell END AS source_cell,
    total_weight > 0 AS applicable
FROM scored

UNION ALL

-- A unit with no task assigned: the block is not applicable (not zero).
SELECT
    u.unit_code, 'tasks', 'tasks', '重点任务落实', 0, 0,
    '未分配重点任务，本项不适用，按其余板块折算', 'TASK_NA', NULL, NULL, NULL, false
FROM stg_units AS u
WHERE u.unit_code NOT IN (
    SELECT a.unit_code
    FROM task_assignments AS a
    JOIN tasks AS t ON t.task_id = a.task_id
    JOIN scheme_task_roles AS r ON r.role = a.role
    WHERE t.weight * r.weight > 0
);
