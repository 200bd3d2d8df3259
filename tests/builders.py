"""Write real registry and submission files for tests, the way units fill them in."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlsxwriter

BASIC_KEYS = ["单位代码", "单位名称", "考核季度", "填报人", "联系电话", "填报日期"]


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    """Write a CSV registry or sheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_registries(folder: Path) -> tuple[Path, Path]:
    """Write a tiny district: two streets, two departments, the detachment and the office."""
    units = write_csv(
        folder / "units.csv",
        ["单位代码", "单位名称", "考核组", "区域类型", "监管场所类型", "是否参与考核"],
        [
            ["JD01", "解放碑街道", "镇街组", "中心城区", "", "是"],
            ["JD02", "朝天门街道", "镇街组", "其他", "", "是"],
            ["BM01", "区教委", "部门组", "", "学校、幼儿园", "是"],
            ["BM02", "区财政局", "部门组", "", "", "是"],
            ["ZD01", "区消防救援支队", "部门组", "", "", "否"],
            ["XAB", "区消防安全委员会办公室", "部门组", "", "", "否"],
        ],
    )
    tasks = write_csv(
        folder / "tasks.csv",
        ["任务编号", "重点任务", "具体工作", "牵头单位", "配合单位", "完成时限", "权重"],
        [
            [
                "T01",
                "消防用水整治",
                "整治消防用水问题",
                "JD01、朝天门街道",
                "BM01",
                "2026年6月底前",
                "1",
            ],
            ["T02", "消防宣传", "开展消防宣传", "BM01", "JD01", "持续开展", ""],
            ["T03", "隐患排查", "排查高层建筑隐患", "BM02", "", "2026年3月", "2"],
        ],
    )
    return units, tasks


def write_workbook(
    path: Path, sheets: dict[str, list[list]], title_rows: int = 1, hidden: tuple[str, ...] = ()
) -> Path:
    """Write sheets as a person would: a merged title row, then the header, then the rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with xlsxwriter.Workbook(path, {"strings_to_formulas": False}) as book:
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            if name in hidden:
                sheet.hide()
            if title_rows:
                sheet.merge_range(0, 0, 0, max(len(rows[0]) - 1, 1), f"{name}（填报表）")
            for i, row in enumerate(rows, start=title_rows):
                for j, value in enumerate(row):
                    if isinstance(value, (date, datetime)):
                        sheet.write_datetime(i, j, value, date_format)
                    elif value is not None:
                        sheet.write(i, j, value)
    return path


def basic_info(
    unit: str, name: str, quarter: str = "2026Q2", filled: date = date(2026, 7, 5)
) -> list[list]:
    """Return the 基本信息 rows of a unit."""
    return [
        ["项目", "内容"],
        ["单位代码", unit],
        ["单位名称", name],
        ["考核季度", quarter],
        ["填报人", "张三"],
        ["联系电话", "023-63800000"],
        ["填报日期", filled],
    ]


TASK_HEADER = [
    "任务编号",
    "重点任务",
    "完成状态",
    "完成日期",
    "本季度开展次数",
    "进展情况",
    "佐证材料",
]
INDICATOR_HEADER = ["指标编号", "指标名称", "数值", "分母", "说明"]


def street_file(
    path: Path,
    unit: str = "JD01",
    name: str = "解放碑街道",
    tasks: list[list] | None = None,
    **basic,
) -> Path:
    """Write a complete, valid street submission unless rows are given."""
    tasks = (
        tasks
        if tasks is not None
        else [
            ["T01", "消防用水整治", "已完成", date(2026, 6, 1), None, None, "验收报告"],
            ["T02", "消防宣传", "推进中", None, 3, "开展宣传3次", "照片"],
        ]
    )
    indicators = [
        ["I01", "高层建筑消防物联感知设备接入率", 40, 50, None],
        ["I02", "火灾隐患整改率", 19, 20, None],
        ["I03", "消防工作会议或形势研判（次/季度）", 1, None, None],
        ["I04", "党工委（党组）专题研究消防工作（次/季度）", 3, None, None],
        ["I05", "消防宣传培训活动（场次/季度）", 2, None, None],
        ["I06", "特殊群体“敲门行动”帮扶覆盖率", "100%", None, None],
        ["I07", "疏散逃生演练（次/年）", 1, None, None],
    ]
    return write_workbook(
        path,
        {
            "填报说明": [["请按模板填写"]],
            "基本信息": basic_info(unit, name, **basic),
            "任务进展": [TASK_HEADER, *tasks],
            "工作指标": [INDICATOR_HEADER, *indicators],
        },
    )
