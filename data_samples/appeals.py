"""The sample district's right of reply for 2026Q2: three units' 申诉表 and the office's rulings.

The draft of 2026Q2 is published on Monday 13 July 2026 (`make demo` runs it with `--at`), so the
sample scheme's window of 5 working days ends on Monday 20 July. 大溪沟 disputes its I01 value
(upheld: the office corrects the value, the item is scored again), 石油路 disputes T13 (rejected)
and 大坪 files on 21 July, after the window (not taken up). The forms carry the lost points as
the 2026Q2 draft publishes them, and the rulings workbook is what `firescore appeals` pre-fills,
with the office's columns filled in (tests/test_demo.py holds both to the real run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from data_samples.model import Unit, quarter_label
from data_samples.workbooks import (
    BASIC_HEADER,
    RECEIPT_HEADER,
    Formats,
    open_workbook,
    put,
    start_sheet,
    write_csv,
)

APPEALS_QUARTER = "2026Q2"
APPEALS_DIR = "申诉"
RULINGS_FILE = f"申诉处理_{APPEALS_QUARTER}.xlsx"
DRAFT_PUBLISHED = datetime(2026, 7, 13, 9, 0)  # `make demo`: run --quarter 2026Q2 --at …
FORM_HEADER = ("项目编号", "扣分项目", "失分", "扣分原因", "是否申诉", "申诉理由", "佐证材料")
RULING_HEADER = (
    "单位代码",
    "单位名称",
    "项目编号",
    "扣分项目",
    "原失分",
    "申诉理由",
    "申诉来源",
    "处理结果",
    "更正后失分",
    "更正项",
    "更正后填报值",
    "处理说明",
)
FIRST_ROW = 4  # the forms' header is on row 3 (title, blank, header), as templates --appeal


@dataclass(frozen=True)
class Lost:
    """One lost-point row of a form, as the draft publishes it, and the unit's answer."""

    item_code: str
    item_name: str
    lost: str  # as shown, 2 decimals
    reason: str
    claim: str | None = None  # disputed when given
    evidence: str | None = None


@dataclass(frozen=True)
class Form:
    """One unit's 申诉表 and when the office received it."""

    unit_code: str
    file_name: str
    received_at: datetime
    rows: tuple[Lost, ...]


@dataclass(frozen=True)
class Ruling:
    """The office's ruling on one dispute (申诉处理 columns H–L)."""

    unit_code: str
    item_code: str
    ruling: str  # 维持 | 更正
    note: str
    corrected_field: str | None = None
    corrected_value: str | None = None


FORMS: tuple[Form, ...] = (
    Form(
        "JD06",
        "大溪沟街道申诉表.xlsx",
        datetime(2026, 7, 15, 10, 20),
        (
            Lost(
                "T06",
                "可燃雨棚、突出外墙防护网整治“回头看”",
                "0.94",
                "任务T06「可燃雨棚、突出外墙防护网整治“回头看”」（配合）完成时限2026-09-30未到期，状态未启动，得分系数0.5",
            ),
            Lost(
                "T13",
                "特殊群体“敲门行动”",
                "3.75",
                "持续开展任务T13「特殊群体“敲门行动”」（牵头）本季度开展次数为0，得分系数0",
            ),
            Lost(
                "I01",
                "高层建筑消防物联感知设备接入率",
                "1.31",
                "指标I01「高层建筑消防物联感知设备接入率」数值30，分母48，比率62.5%，目标80%（中心城区，2026年第二季度），得分系数0.7813",
                claim="6月底辖区48栋高层建筑中已接入36栋，填报时按平台5月导出清单误填30栋",
                evidence="区物联网监测平台接入清单（2026年6月30日）",
            ),
            Lost(
                "火灾形势·火灾起数",
                "火灾起数",
                "4.00",
                "火灾起数：本年累计4起，去年同期2起，上升2起，按max(去年同期, 10)计上升率20%（上升率达50%不得分），得分系数0.6（YZ2026-0001、YZ2026-0007、YZ2026-0008、YZ2026-0012）",
            ),
            Lost(
                "火灾形势·直接财产损失",
                "直接财产损失",
                "0.02",
                "直接财产损失：本年累计3.7万元，去年同期2.81万元，上升0.89万元，按max(去年同期, 100)计上升率0.89%（上升率达100%不得分），得分系数0.9911",
            ),
        ),
    ),
    Form(
        "JD09",
        "石油路街道申诉表.xlsx",
        datetime(2026, 7, 17, 16, 5),
        (
            Lost(
                "T05",
                "实施高层建筑消防设施维护管理公示",
                "2.62",
                "任务T05「实施高层建筑消防设施维护管理公示」（牵头）完成时限2026-05-31已逾期，状态推进中，得分系数0.3",
            ),
            Lost(
                "T08",
                "电动自行车安全隐患全链条整治",
                "3.75",
                "持续开展任务T08「电动自行车安全隐患全链条整治」（牵头）本季度开展次数为0，得分系数0",
            ),
            Lost(
                "T13",
                "特殊群体“敲门行动”",
                "1.50",
                "持续开展任务T13「特殊群体“敲门行动”」（牵头）本季度开展4次，未提供佐证材料，得分系数0.6",
                claim="4次走访均有台账，填报时漏写佐证材料",
                evidence="敲门行动走访台账",
            ),
            Lost(
                "T26",
                "加强微型消防站建设",
                "1.50",
                "持续开展任务T26「加强微型消防站建设」（牵头）本季度开展2次，未提供佐证材料，得分系数0.6",
            ),
            Lost(
                "加减分·挂牌督办隐患逾期未整改（每项）",
                "挂牌督办隐患逾期未整改（每项）",
                "2.00",
                "挂牌督办隐患逾期未整改（每项）（石油路某商住楼消防水池渗漏隐患逾期未整改），依据渝中消委办〔2026〕11号（2026-06-22）：减2分",
            ),
            Lost(
                "加减分·挂牌督办隐患逾期未整改（每项）（2）",
                "挂牌督办隐患逾期未整改（每项）",
                "2.00",
                "挂牌督办隐患逾期未整改（每项）（石油路某农贸市场疏散通道隐患逾期未整改），依据渝中消委办〔2026〕11号（2026-06-22）：减2分",
            ),
        ),
    ),
    Form(
        "JD10",
        "大坪街道申诉表.xlsx",
        datetime(2026, 7, 21, 8, 40),  # the day after the window"s last day: not taken up
        (
            Lost(
                "T01",
                "落实党政领导责任",
                "0.35",
                "任务T01「落实党政领导责任」（牵头）完成时限2026-03-31，于2026-04-20完成，逾期20天（按1个月计），得分系数0.9",
            ),
            Lost(
                "T04",
                "攻坚整治高层建筑消防用水问题",
                "1.73",
                "任务T04「攻坚整治高层建筑消防用水问题」（牵头）完成时限2026-06-30未到期，状态未启动，得分系数0.5",
            ),
            Lost(
                "T05",
                "实施高层建筑消防设施维护管理公示",
                "2.42",
                "任务T05「实施高层建筑消防设施维护管理公示」（牵头）完成时限2026-05-31已逾期，状态推进中，得分系数0.3",
            ),
            Lost(
                "T27",
                "深化消防宣传“五进”",
                "3.46",
                "持续开展任务T27「深化消防宣传“五进”」（牵头）本季度开展次数为0，得分系数0",
            ),
            Lost(
                "I04",
                "党工委（党组）专题研究消防工作（次/季度）",
                "1.00",
                "指标I04「党工委（党组）专题研究消防工作（次/季度）」本季度2，要求不少于3，得分系数0.6667",
                claim="6月另召开消防专题会议1次，会议纪要未及时归档",
                evidence="党工委会议纪要（2026年6月）",
            ),
            Lost(
                "火灾形势·火灾起数",
                "火灾起数",
                "2.00",
                "火灾起数：本年累计6起，去年同期5起，上升1起，按max(去年同期, 10)计上升率10%（上升率达50%不得分），得分系数0.8（YZ2026-0016、YZ2026-0024、YZ2026-0027、YZ2026-0030、YZ2026-0038、YZ2026-0046）",
            ),
            Lost(
                "火灾形势·直接财产损失",
                "直接财产损失",
                "0.29",
                "直接财产损失：本年累计19.24万元，去年同期4.56万元，上升14.68万元，按max(去年同期, 100)计上升率14.68%（上升率达100%不得分），得分系数0.8532",
            ),
        ),
    ),
)

RULINGS: tuple[Ruling, ...] = (
    Ruling(
        "JD06",
        "I01",
        "更正",
        "经核对区物联网监测平台接入清单，6月底已接入36栋，按36栋重新计分",
        corrected_field="数值",
        corrected_value="36",
    ),
    Ruling(
        "JD09",
        "T13",
        "维持",
        "佐证材料应在任务进展表中注明并随表报送，填报表未注明，按规定计分",
    ),
)


def write_appeals(folder: Path, units: Sequence[Unit], persons: dict[str, tuple[str, str]]) -> None:
    """Write the quarter's 申诉 folder: the units' forms, their receipt log, the rulings."""
    by_code = {u.code: u for u in units}
    for form in FORMS:
        write_form(
            folder / form.unit_code / form.file_name,
            form,
            by_code[form.unit_code],
            persons[form.unit_code],
        )
    rows = [(f.unit_code, f.file_name, f.received_at.strftime("%Y-%m-%d %H:%M")) for f in FORMS]
    write_csv(folder / "收件登记.csv", RECEIPT_HEADER, sorted(rows, key=lambda r: r[2]))
    write_rulings(folder / RULINGS_FILE, by_code)


def write_form(path: Path, form: Form, unit: Unit, person: tuple[str, str]) -> None:
    """Write one unit's filled 申诉表 (基本信息 and 申诉表, as templates --appeal lays them out)."""
    filled = form.received_at.date()
    with open_workbook(path, datetime.combine(filled, time(9, 0)), person[0]) as wb:
        fmt = Formats(wb)
        title = f"{quarter_label(APPEALS_QUARTER)}考核结果申诉表"
        ws, row = start_sheet(wb, fmt, "基本信息", f"{unit.name}{title}", BASIC_HEADER, 2, "")
        pairs = (
            ("单位代码", unit.code),
            ("单位名称", unit.name),
            ("考核季度", quarter_label(APPEALS_QUARTER)),
            ("填报人", person[0]),
            ("联系电话", person[1]),
            ("填报日期", filled),
        )
        for key, value in pairs:
            ws.write_string(row, 0, key, fmt.text)
            put(ws, row, 1, value, fmt)
            row += 1
        ws, row = start_sheet(wb, fmt, "申诉表", f"{unit.name}{title}", FORM_HEADER, 3, "")
        for lost in form.rows:
            disputed = "是" if lost.claim else "否"
            values = (
                lost.item_code,
                lost.item_name,
                lost.lost,
                lost.reason,
                disputed,
                lost.claim,
                lost.evidence,
            )
            for col, value in enumerate(values):
                put(ws, row, col, value, fmt)
            row += 1


def write_rulings(path: Path, units: dict[str, Unit]) -> None:
    """Write the office's 申诉处理 workbook: the disputes taken up, each with its ruling."""
    ruled = {(r.unit_code, r.item_code): r for r in RULINGS}
    with open_workbook(path, datetime.combine(date(2026, 7, 22), time(9, 0)), "区消安委办") as wb:
        fmt = Formats(wb)
        title = f"{quarter_label(APPEALS_QUARTER)}考核结果申诉处理表"
        ws, row = start_sheet(wb, fmt, "申诉处理", title, RULING_HEADER, 3, "")
        for form in FORMS:
            for offset, lost in enumerate(form.rows):
                ruling = ruled.get((form.unit_code, lost.item_code))
                if ruling is None:
                    continue  # not disputed, or filed after the window
                claim = lost.claim + (f"（佐证：{lost.evidence}）" if lost.evidence else "")
                values = (
                    form.unit_code,
                    units[form.unit_code].name,
                    lost.item_code,
                    lost.item_name,
                    lost.lost,
                    claim,
                    f"{form.file_name} 申诉表!F{FIRST_ROW + offset}",
                    ruling.ruling,
                    None,
                    ruling.corrected_field,
                    ruling.corrected_value,
                    ruling.note,
                )
                for col, value in enumerate(values):
                    put(ws, row, col, value, fmt)
                row += 1
