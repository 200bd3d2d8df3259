"""scheme.yaml -> Scheme: shape checks with Chinese messages, quarter helpers, scheme tables."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from firescore.scheme import (
    Quarter,
    QuarterError,
    SchemeError,
    describe_scheme,
    load_scheme,
    load_scheme_tables,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data_samples" / "scheme.yaml"


@pytest.fixture(scope="module")
def scheme():
    return load_scheme(SAMPLE)


def _write_variant(tmp_path: Path, edit) -> Path:
    """Write the sample scheme with one edit applied; return its path."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "scheme.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_sample_scheme_holds_the_scoring_md_defaults(scheme):
    assert (scheme.year, scheme.district, scheme.timezone) == (2026, "渝中区", "Asia/Shanghai")
    assert scheme.title == "渝中区2026年度消防工作季度考核"
    assert (scheme.fire_source_unit, scheme.adjustment_source_unit) == ("ZD01", "XAB")
    assert scheme.block_points("镇街组") == {
        "tasks": 45,
        "indicators": 25,
        "fire": 25,
        "reporting": 5,
    }
    assert scheme.block_points("部门组") == {
        "tasks": 50,
        "indicators": 25,
        "fire": 15,
        "reporting": 10,
    }
    assert [(i.id, i.kind, dict(i.points)) for i in scheme.indicators] == [
        ("I01", "rate", {"镇街组": 6}),
        ("I02", "rate", {"镇街组": 5, "部门组": 6}),
        ("I03", "count_min", {"镇街组": 3, "部门组": 5}),
        ("I04", "count_min", {"镇街组": 3}),
        ("I05", "count_min", {"镇街组": 3, "部门组": 4}),
        ("I06", "rate", {"镇街组": 3}),
        ("I07", "year_min", {"镇街组": 2}),
        ("I08", "rate", {"部门组": 6}),
        ("I09", "year_min", {"部门组": 4}),
    ]
    assert scheme.indicators[0].name == "高层建筑消防物联感知设备接入率"
    assert scheme.indicators[5].name == "特殊群体“敲门行动”帮扶覆盖率"
    assert [i.id for i in scheme.indicators_for("部门组")] == ["I02", "I03", "I05", "I08", "I09"]
    assert scheme.adjustment_points["通报批评（市级）"] == Decimal("-5")
    assert scheme.adjustment_points["经验做法被推广（区级）"] == Decimal("1")


def test_indicator_target_follows_region_and_quarter(scheme):
    assert scheme.indicator_target("I01", "中心城区", "2026Q1") == Decimal("0.70")
    assert scheme.indicator_target("I01", "中心城区", "2026Q4") == Decimal("1.00")
    assert scheme.indicator_target("I01", None, "2026Q2") == Decimal("0.60")  # blank = 其他
    assert scheme.indicator_target("I01", "其他", "2026Q3") == Decimal("0.70")
    assert scheme.indicator_target("I04", "中心城区", "2026Q3") == Decimal("3")
    assert scheme.indicator_target("I99", None, "2026Q3") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026Q2", "2026Q2"),
        ("2026q4", "2026Q4"),
        ("2026年第二季度", "2026Q2"),
        ("2026年第2季度", "2026Q2"),
        (" ２０２６年第三季度 ", "2026Q3"),
        ("2026Q5", None),
        ("2026年第五季度", None),
        ("二季度", None),
    ],
)
def test_parse_quarter(text, expected):
    assert Quarter.parse(text) == expected


def test_a_text_that_names_no_quarter_is_refused_with_one_chinese_message():
    with pytest.raises(QuarterError) as refused:
        Quarter("2026Q5")
    assert str(refused.value) == "无法识别的考核季度「2026Q5」，应如 2026Q2 或 2026年第二季度"


def test_quarter_dates_and_label(scheme):
    assert Quarter("2026Q1").last_day == date(2026, 3, 31)
    assert Quarter("2026年第二季度").first_day == date(2026, 4, 1)
    assert Quarter("2026Q2").last_day == date(2026, 6, 30)
    assert scheme.report_deadline("2026Q2") == date(2026, 7, 10)
    assert scheme.report_deadline("2026Q4") == date(2027, 1, 10)
    assert Quarter("2026Q2").label == "2026年第二季度"
    assert Quarter("2026Q4").label == "2026年第四季度"
    assert Quarter("2026Q2").previous == "2026Q1" and Quarter("2026Q1").previous is None
    assert Quarter("2026Q3").year_so_far() == ["2026Q1", "2026Q2", "2026Q3"]


def test_a_quarter_binds_and_compares_as_its_text():
    quarter = Quarter("2026年第二季度")
    con = duckdb.connect()
    assert con.execute("SELECT $q = '2026Q2', $q", {"q": quarter}).fetchone() == (True, "2026Q2")
    assert {"2026Q2": 1}[quarter] == 1


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (0, 0, "0", "一般"),
        (2, 9, "2999.99", "一般"),
        (3, 0, "0", "较大"),
        (0, 10, "0", "较大"),
        (0, 0, "3000", "较大"),
        (9, 49, "9999", "较大"),
        (10, 0, "0", "重大"),
        (0, 0, "10000", "重大"),
        (0, 100, "0", "特别重大"),
        (1, 1, "30000", "特别重大"),
    ],
)
def test_fire_grade_is_the_highest_reached(scheme, deaths, injuries, loss, grade):
    assert scheme.fire_grade(deaths, injuries, Decimal(loss)) == grade


def test_fire_grade_by_dated_rule_version(tmp_path):
    def add_2007(data):
        data["fire"]["grade_tables"][0]["valid_from"] = date(2025, 1, 1)
        data["fire"]["grade_tables"].append(
            {
                "version": "公消〔2007〕234号",
                "valid_from": None,
                "grades": [
                    {"grade": "特别重大", "deaths": 30, "injuries": 100, "loss": 10000},
                    {"grade": "重大", "deaths": 10, "injuries": 50, "loss": 5000},
                    {"grade": "较大", "deaths": 3, "injuries": 10, "loss": 1000},
                ],
            }
        )

    s = load_scheme(_write_variant(tmp_path, add_2007))
    assert s.fire_grade(0, 0, Decimal("1500"), date(2024, 12, 31)) == "较大"
    assert s.fire_grade(0, 0, Decimal("1500"), date(2025, 1, 1)) == "一般"
    assert s.fire_grade(0, 0, Decimal("5000"), date(2023, 5, 1)) == "重大"
    assert s.fire_grade(0, 0, Decimal("1500")) == "一般"  # no date: the newest table


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["fire"]["split"].update(count="abc"),
            '方案文件 scheme.yaml 中的键 fire.split.count：应为数字，实际为 "abc"',
        ),
        (
            lambda d: d["fire"].update(colour="red"),
            "方案文件 scheme.yaml 中的键 fire.colour：不认识此键（请检查拼写，或删除此键）",
        ),
        (
            lambda d: d["reporting"].pop("deadline"),
            "方案文件 scheme.yaml 缺少键 reporting.deadline",
        ),
        (
            lambda d: d["blocks"]["tasks"]["points"].update({"街道组": 45}),
            "方案文件 scheme.yaml 中的键 blocks.tasks.points.街道组 名称有误："
            '应为以下之一：镇街组、部门组，实际为 "街道组"',
        ),
        (
            lambda d: d["indicators"][2].update(kind="ratio"),
            "方案文件 scheme.yaml 中的键 indicators[3].kind："
            '应为以下之一：rate、count_min、year_min，实际为 "ratio"',
        ),
        (
            lambda d: d["veto"]["groups"].update({"镇街组": "maybe"}),
            '方案文件 scheme.yaml 中的键 veto.groups.镇街组：应为 true 或 false，实际为 "maybe"',
        ),
        (
            lambda d: d["fire"]["split"].update(count=0.5),
            "方案文件 scheme.yaml 中的键 fire：split 各项之和应为 1，实际为 1.10",
        ),
        (
            lambda d: d["reporting"]["deadline"].update(days=-1),
            "方案文件 scheme.yaml 中的键 reporting.deadline.days：应不小于 0，实际为 -1",
        ),
        (
            lambda d: d["reporting"]["deadline"].update(kind="weekdays"),
            "方案文件 scheme.yaml 中的键 reporting.deadline.kind："
            '应为以下之一：natural、working，实际为 "weekdays"',
        ),
        (
            lambda d: d["blocks"]["tasks"]["points"].pop("部门组"),
            "方案文件 scheme.yaml 中的键 blocks.tasks.points：缺少考核组 部门组 的分值",
        ),
        (
            lambda d: d["tasks"]["role_weights"].pop("配合"),
            "方案文件 scheme.yaml 中的键 tasks.role_weights：缺少角色 配合 的权重",
        ),
        (
            lambda d: d.update(timezone="Mars/Olympus"),
            "方案文件 scheme.yaml 中的键 timezone：未知的时区「Mars/Olympus」，应如 Asia/Shanghai",
        ),
    ],
)
def test_bad_scheme_is_refused_naming_the_key(tmp_path, edit, message):
    with pytest.raises(SchemeError) as caught:
        load_scheme(_write_variant(tmp_path, edit))
    assert str(caught.value) == message
    assert caught.value.message == message


def test_duplicate_key_and_bad_yaml_are_refused(tmp_path):
    path = tmp_path / "scheme.yaml"
    path.write_text("year: 2026\nyear: 2027\n", encoding="utf-8")
    with pytest.raises(SchemeError, match="键「year」重复"):
        load_scheme(path)
    path.write_text("year: [2026\n", encoding="utf-8")
    with pytest.raises(SchemeError, match="不是有效的 YAML"):
        load_scheme(path)
    with pytest.raises(SchemeError, match="找不到方案文件"):
        load_scheme(tmp_path / "missing.yaml")


def test_describe_names_blocks_grades_veto_and_deadline(scheme):
    text = dict(describe_scheme(scheme))
    assert text["镇街组分值"] == "重点任务落实45分、工作指标25分、火灾形势25分、信息报送5分"
    assert text["部门组分值"] == "重点任务落实50分、工作指标25分、火灾形势15分、信息报送10分"
    assert text["等次"].startswith("优秀≥90分，良好≥80分，合格≥60分")
    assert "镇街组" in text["一票否决"] and "较大及以上" in text["一票否决"]
    assert "不超过5分" in text["加减分"]
    assert "10日内" in text["报送时限"]
    assert list(text)[:3] == ["考核方案", "考核年度", "镇街组分值"]
    assert "优秀比例" not in text  # the 优秀 share is switched off in the sample
    assert "双降" not in text["火灾形势"]  # require_fall is off in the sample


def test_describe_follows_the_scheme_switches(tmp_path):
    def edit(data):
        data["veto"]["groups"] = {"镇街组": False, "部门组": False}
        data["excellent_share"]["enabled"] = True
        data["fire"]["require_fall"] = True

    text = dict(describe_scheme(load_scheme(_write_variant(tmp_path, edit))))
    assert "执行“双降”：起数比去年同期下降方得满分" in text["火灾形势"]
    assert text["一票否决"].startswith("适用于无：")
    assert text["优秀比例"] == "优秀不超过本组参与排名单位的30%，超出者按排名降为良好。"


def test_scheme_tables_carry_every_rule(scheme):
    con = duckdb.connect()
    load_scheme_tables(con, scheme)
    load_scheme_tables(con, scheme)  # re-creatable
    assert con.execute(
        "SELECT grp, block, points::INT FROM scheme_blocks ORDER BY grp, block"
    ).fetchall() == [
        ("部门组", "fire", 15),
        ("部门组", "indicators", 25),
        ("部门组", "reporting", 10),
        ("部门组", "tasks", 50),
        ("镇街组", "fire", 25),
        ("镇街组", "indicators", 25),
        ("镇街组", "reporting", 5),
        ("镇街组", "tasks", 45),
    ]
    assert con.execute(
        "SELECT target FROM scheme_indicator_targets "
        "WHERE indicator_id = 'I01' AND region = '中心城区' ORDER BY quarter_no"
    ).fetchall() == [(Decimal(v),) for v in ("0.7", "0.8", "0.9", "1")]
    assert con.execute(
        "SELECT grade, severity FROM scheme_fire_grades ORDER BY severity"
    ).fetchall() == [("一般", 0), ("较大", 1), ("重大", 2), ("特别重大", 3)]
    assert con.execute("SELECT count(*) FROM scheme_indicators").fetchone() == (12,)
    assert con.execute(
        "SELECT item, points, is_bonus FROM scheme_adjustment_types WHERE item = '被约谈'"
    ).fetchall() == [("被约谈", Decimal("-2"), False)]


def test_every_scheme_param_is_read_by_the_scoring_sql(scheme):
    con = duckdb.connect()
    load_scheme_tables(con, scheme)
    keys = {k for (k,) in con.execute("SELECT key FROM scheme_params").fetchall()}
    sql = "\n".join(
        p.read_text(encoding="utf-8") for p in (SAMPLE.parents[1] / "scoring").rglob("*.sql")
    )
    assert {k for k in keys if f"'{k}'" not in sql} == set()
