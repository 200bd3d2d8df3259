-- Helpers used by every stage. DECIMAL / DECIMAL is DOUBLE in DuckDB, so every division is
-- cast straight back to DECIMAL(38,12) (deterministic); products are cast back too, so scales
-- never grow past what DECIMAL(38, s) can hold.

-- a / b as DECIMAL(38,12); NULL when b is 0 or NULL.
CREATE OR REPLACE TEMP MACRO dec_div(a, b) AS
    CASE WHEN b IS NULL OR b = 0 THEN NULL
         ELSE (a::DOUBLE / b::DOUBLE)::DECIMAL(38, 12) END;

-- a × b as DECIMAL(38,12).
CREATE OR REPLACE TEMP MACRO dec_mul(a, b) AS
    (a::DECIMAL(38, 12) * b::DECIMAL(38, 12))::DECIMAL(38, 12);

-- A number for Chinese reasons: at most 4 decimals, no trailing zeros (0.3, 45, 2.6667).
CREATE OR REPLACE TEMP MACRO fmt_num(x) AS
    CASE WHEN x IS NULL THEN '空'
         ELSE rtrim(rtrim(round(x::DECIMAL(38, 12), 4)::VARCHAR, '0'), '.') END;

-- A fraction as a percentage for reasons: 0.8 -> 80%.
CREATE OR REPLACE TEMP MACRO fmt_pct(x) AS fmt_num(dec_mul(x, 100)) || '%';

-- A date for reasons: 2026-06-30.
CREATE OR REPLACE TEMP MACRO fmt_date(d) AS strftime(d::DATE, '%Y-%m-%d');

-- A cell reference in A1 notation from a column letter and the Excel row.
CREATE OR REPLACE TEMP MACRO cell_ref(col_letter, excel_row) AS
    CASE WHEN col_letter IS NULL OR excel_row IS NULL THEN NULL
         ELSE col_letter || excel_row::VARCHAR END;

-- A shown figure (block score, adjustment, total): half-up to 2 decimals, a half always
-- towards +∞ (−2.125 → −2.12), so that a shown base in hundredths plus the shown adjustment is
-- exactly the shown total. Values are rounded at 12 decimals, so a sum can miss an exact half
-- (89.985) by a few 1e-12; rounding at 10 decimals first restores it, so the figure is what a
-- person adding by hand gets.
CREATE OR REPLACE TEMP MACRO shown_value(x) AS
    (floor(round(x::DECIMAL(38, 12), 10) * 100 + 0.5)::DECIMAL(38, 0) * 0.01)::DECIMAL(38, 2);

-- Grading and ranking (SCORING.md §7), shared by the quarter (80_rank.sql) and the year
-- (scoring/annual/10_annual_scores.sql), which the annual runner runs this file for.

-- The grade band of a shown total: the highest band whose lower bound (inclusive) it reaches.
CREATE OR REPLACE TEMP MACRO grade_band(shown_total) AS
    (SELECT arg_max(g.grade, g.min_total) FROM scheme_grades AS g WHERE g.min_total <= shown_total);

-- Competition ranking within the group (1, 2, 2, 4); vetoed units after all others.
CREATE OR REPLACE TEMP MACRO competition_rank(unit_group, is_vetoed, shown_total) AS
    rank() OVER (PARTITION BY unit_group ORDER BY is_vetoed, shown_total DESC)::INTEGER;

-- The grade given: 一票否决 gives the veto grade; with the optional 优秀 share switched on, a
-- unit in the top band beyond the top share of its group (by rank) gets the fallback grade.
CREATE OR REPLACE TEMP MACRO final_grade(band_grade, is_vetoed, group_rank, group_size) AS
    CASE
        WHEN is_vetoed THEN (SELECT p.text FROM scheme_params AS p WHERE p.key = 'veto_grade')
        WHEN (SELECT p.num FROM scheme_params AS p WHERE p.key = 'excellent_enabled') = 1
            AND band_grade = (SELECT arg_max(g.grade, g.min_total) FROM scheme_grades AS g)
            AND group_rank > floor(dec_mul(
                (SELECT p.num FROM scheme_params AS p WHERE p.key = 'excellent_share'), group_size))
            THEN (SELECT p.text FROM scheme_params AS p WHERE p.key = 'excellent_fallback_grade')
        ELSE band_grade
    END;
