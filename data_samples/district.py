"""Hand-written content of the sample district (渝中区), taken from the seeds.

Everything a reader of data_samples/README.md needs to hand-check a score lives
here as data: the units, the task table, and the sample scenario (late, missing,
rejected, overdue, the 较大 fire, the capped bonus). generate.py turns it into files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

DISTRICT = "渝中区"

# 11 streets of 渝中区, in the order of seed 004: (name, 区域类型, high-rise buildings).
# 渝中区 is a 中心城区 district, so every street takes seed 002's 中心城区 I01 target
# ("2026年11月底前，中心城区高层建筑接入覆盖率达到100%").
# 南纪门 is given no high-rise buildings so that I01 has 分母 0 (not applicable) once.
STREETS: tuple[tuple[str, str, int], ...] = (
    ("解放碑街道", "中心城区", 262),
    ("朝天门街道", "中心城区", 148),
    ("七星岗街道", "中心城区", 121),
    ("南纪门街道", "中心城区", 0),
    ("菜园坝街道", "中心城区", 50),
    ("大溪沟街道", "中心城区", 48),
    ("两路口街道", "中心城区", 133),
    ("上清寺街道", "中心城区", 109),
    ("石油路街道", "中心城区", 95),
    ("大坪街道", "中心城区", 141),
    ("化龙桥街道", "中心城区", 62),
)

# Departments (部门组), each named as 责任单位 in seed 003 or 004 (data_samples/README.md
# quotes the words), with 监管场所类型: the place types whose fires count against them.
# Empty = fire block not applicable. 体育场馆 and 机关办公场所 fires count against no
# department: no seed names a unit responsible for them.
DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("区发展改革委", ()),
    ("区教委", ("学校", "幼儿园")),
    ("区经济信息委", ("厂房库房",)),
    ("区民政局", ("养老机构",)),
    ("区司法局", ()),
    ("区财政局", ()),
    ("区住房城市建设委", ("建筑工地",)),
    ("区城管局", ()),
    ("区商务委", ("商业综合体", "餐饮场所")),
    ("区文化旅游委", ("文物古建", "娱乐场所")),
    ("区交通局", ("交通场站",)),
    ("区卫生健康委", ("医院",)),
    ("区规划自然资源局", ()),
    ("区市场监管局", ("商场市场",)),
    ("区公安分局", ("宾馆饭店",)),
    ("区应急局", ("危化品经营场所",)),
    ("区文明办", ()),
    ("区委政法委", ()),
    ("区民族宗教委", ("宗教场所",)),
    ("区委宣传部", ()),
)

FIRE_DETACHMENT = ("ZD01", "区消防救援支队")
OFFICE = ("XAB", "区消防安全委员会办公室")

ALL_STREETS = "各街道"


@dataclass(frozen=True)
class TaskTemplate:
    """One row of the 任务分解表 before unit references are rendered."""

    title: str  # 重点任务
    detail: str  # 具体工作
    lead: tuple[str, ...]  # 牵头单位: department names, street names or 各街道
    support: tuple[str, ...]  # 配合单位
    deadline: str  # 完成时限 as the office writes it
    weight: str  # 权重; "" = default 1
    style: str  # how units are written: "code", "name", or "mixed" (lead codes, support names)
    sep: str = "、"  # separator between units


S = ALL_STREETS
TASKS: tuple[TaskTemplate, ...] = (
    TaskTemplate(
        "落实党政领导责任",
        "党工委（党组）定期研究消防工作，制定领导干部消防安全“职责清单”和“任务清单”，健全警示约谈、督查督办制度",
        (S,),
        (),
        "2026年3月底前",
        "1",
        "code",
    ),
    TaskTemplate(
        "落实行业部门监管责任",
        "落实“每季度一次形势研判，每年一次隐患整治、一次明查暗访、一次约谈培训”机制，将消防安全融入行业日常管理",
        ("区教委", "区民政局", "区卫生健康委", "区商务委", "区文化旅游委"),
        ("区市场监管局",),
        "持续开展",
        "2",
        "name",
    ),
    TaskTemplate(
        "抓实高层建筑消防安全治理",
        "落实《重庆市进一步强化高层建筑消防安全治理若干措施》，深化建筑保温材料、用电安全、动火作业、“三无”建筑等重点领域隐患整治，常态化开展滚动排查整治",
        ("区住房城市建设委",),
        ("区经济信息委", "区城管局", S),
        "持续开展",
        "2",
        "code",
    ),
    TaskTemplate(
        "攻坚整治高层建筑消防用水问题",
        "将排查发现存在消防用水问题的高层建筑全部纳入整治范畴，逐栋建立台账，限期整改销号",
        ("解放碑街道", "朝天门街道", "七星岗街道", "两路口街道", "上清寺街道", "大坪街道"),
        ("区住房城市建设委",),
        "2026年6月底前",
        "",
        "name",
    ),
    TaskTemplate(
        "实施高层建筑消防设施维护管理公示",
        "逐栋明确高层建筑消防安全管理单位和消防设施维护保养单位并公示，落实日常管理和维护保养措施",
        (S,),
        ("区住房城市建设委",),
        "2026-05-31",
        "1",
        "code",
        "，",
    ),
    TaskTemplate(
        "可燃雨棚、突出外墙防护网整治“回头看”",
        "对高层住宅新增可燃雨棚、突出外墙防护网开展“回头看”，发现一处、拆改一处",
        ("区住房城市建设委",),
        ("区城管局", S),
        "2026年9月",
        "1",
        "name",
    ),
    TaskTemplate(
        "深化畅通“生命通道”行动",
        "持续整治占堵消防车通道、疏散通道和违规设置户外广告、招牌遮挡逃生窗口等影响逃生及灭火救援的行为",
        ("区城管局",),
        ("区公安分局",),
        "持续开展",
        "1",
        "code",
    ),
    TaskTemplate(
        "电动自行车安全隐患全链条整治",
        "推进电动自行车充电设施建设，查处整治违规停放充电、“飞线充电”和进楼入户行为",
        (S,),
        ("区经济信息委", "区市场监管局", "区公安分局"),
        "持续开展",
        "1",
        "name",
    ),
    TaskTemplate(
        "深化动火作业整治",
        "落实“两小工程”备案要求，推进焊机“加芯赋码”“一机一码”改造，推广“动火审批”应用",
        ("区经济信息委",),
        ("区市场监管局", "区住房城市建设委", "区应急局"),
        "2026年6月底前",
        "1",
        "code",
    ),
    TaskTemplate(
        "深化建筑保温材料整治",
        "推进易燃可燃外墙外保温材料、外保温系统空腔等问题治理，强化建筑保温材料标识管理",
        ("区住房城市建设委",),
        ("区市场监管局",),
        "2026年12月底前",
        "",
        "name",
    ),
    TaskTemplate(
        "落实新兴业态安全监管机制",
        "对民宿、培训机构、家庭酒吧、剧本娱乐、私人影院等新兴业态建立动态管理台账，落实属地和行业监管措施",
        ("区文化旅游委",),
        ("区商务委", "区教委", "区市场监管局", "区公安分局"),
        "2026年4月底前",
        "1",
        "name",
        "，",
    ),
    TaskTemplate(
        "“九小场所”和小餐饮场所隐患整治",
        "重点整治违规锁闭安全出口、占堵疏散通道、厨房安全分隔不到位、违规使用易燃可燃装饰装修等隐患",
        ("区商务委",),
        ("区市场监管局", S),
        "持续开展",
        "1",
        "code",
    ),
    TaskTemplate(
        "特殊群体“敲门行动”",
        "针对独居老人、留守儿童等“一老一小”特殊困难群体，开展敲门提示和“一对一”帮扶服务",
        (S,),
        ("区民政局",),
        "持续开展",
        "1",
        "mixed",
    ),
    TaskTemplate(
        "重要节事消防安全保卫",
        "重要节日、重大活动期间开展“蓝盾”系列集中夜查行动，督促落实火灾防范措施",
        ("区公安分局",),
        ("区文化旅游委", "区商务委", "区民族宗教委"),
        "持续开展",
        "1",
        "name",
    ),
    TaskTemplate(
        "学校、幼儿园消防安全标准化管理",
        "分类编制学校、幼儿园火灾风险防范指南和检查指引，推进消防安全标准化管理，将《中小学消防安全教育读本》纳入政府采购目录",
        ("区教委",),
        (),
        "2026年9月",
        "1",
        "code",
    ),
    TaskTemplate(
        "养老机构消防安全达标",
        "开展养老机构、托育机构消防安全达标创建，落实消防控制室值班和防火巡查制度",
        ("区民政局",),
        ("区卫生健康委",),
        "2026年6月底前",
        "1",
        "name",
    ),
    TaskTemplate(
        "医疗机构电气火灾隐患专项排查",
        "对辖区医疗机构电气线路、大功率用电设备开展专项排查，建立隐患清单并督促整改",
        ("区卫生健康委",),
        (),
        "2026-02-28",
        "1",
        "code",
    ),
    TaskTemplate(
        "大型商业综合体消防安全标准化管理",
        "深化大型商业综合体消防安全标准化管理，推动聘用注册消防工程师担任消防安全管理人",
        ("区商务委",),
        ("区市场监管局", "区住房城市建设委"),
        "2026年12月底前",
        "2",
        "name",
    ),
    TaskTemplate(
        "文物建筑和宗教场所火灾防控",
        "对文物建筑、宗教活动场所开展火灾风险评估，落实电气线路改造和消防设施配置",
        ("区文化旅游委",),
        ("区民族宗教委",),
        "2026-05-31",
        "1",
        "code",
    ),
    TaskTemplate(
        "交通场站消防安全检查",
        "对客运站、轨道交通站点、公交停保场开展消防安全检查，督促整改火灾隐患",
        ("区交通局",),
        (),
        "持续开展",
        "1",
        "name",
    ),
    TaskTemplate(
        "建设工程消防设计审查验收违法违规专项治理",
        "整治未经消防验收或者验收不合格擅自投入使用的建设工程，强化施工现场消防安全管理",
        ("区住房城市建设委",),
        ("区规划自然资源局",),
        "2026年6月底前",
        "1",
        "code",
    ),
    TaskTemplate(
        "编制“十五五”消防事业发展规划",
        "编制实施渝中区“十五五”消防事业发展规划，将消防安全布局、消防站等纳入国土空间规划",
        ("区发展改革委",),
        ("区规划自然资源局", "区财政局"),
        "2026年9月",
        "1",
        "name",
    ),
    TaskTemplate(
        "推进公共消防基础设施建设",
        "启动新一轮消防队（站）、市政消火栓等公共消防设施建设，推进城市小型消防站建设",
        ("区规划自然资源局",),
        ("区财政局", "区住房城市建设委"),
        "2026年12月底前",
        "1",
        "code",
    ),
    TaskTemplate(
        "消防设施和老旧电气线路改造纳入城市更新",
        "将消防设施、老旧电气线路改造纳入城市更新和老旧小区改造，同步设计、同步施工、同步验收",
        ("区住房城市建设委",),
        ("区发展改革委", S),
        "2026年12月底前",
        "1",
        "name",
    ),
    TaskTemplate(
        "落实基层消防“法定+赋权+委托”执法",
        "动态优化调整街道消防赋权、委托行政执法事项，开展综合执法人员消防业务培训",
        ("区司法局",),
        (S,),
        "2026年3月底前",
        "1",
        "mixed",
    ),
    TaskTemplate(
        "加强微型消防站建设",
        "加强微型消防站装备检查维护、训练演练和值班值守，常态化组织联合演练和比武培训",
        (S,),
        (),
        "持续开展",
        "1",
        "code",
    ),
    TaskTemplate(
        "深化消防宣传“五进”",
        "深化消防宣传进企业、进农村、进社区、进学校、进家庭，开展提示性、警示性、季节性宣传",
        (S,),
        ("区教委", "区文化旅游委", "区委宣传部"),
        "持续开展",
        "1",
        "name",
    ),
    TaskTemplate(
        "加快物联感知设备建设接入",
        "推进既有高层建筑消防水压监测、电气火灾监控、“生命通道”视频监控等物联设备接入，2026年11月底前高层建筑接入覆盖率达到100%",
        (S,),
        ("区经济信息委", "区住房城市建设委"),
        "2026年11月底前",
        "2",
        "code",
    ),
    TaskTemplate(
        "提升“高楼消防”应用质效",
        "推动“高楼消防”应用融入区级数字化城市运行和治理中心，迭代升级“高楼消防码”",
        ("区经济信息委",),
        (),
        "2026年9月",
        "1",
        "name",
    ),
    TaskTemplate(
        "强化消防安全宣传培训",
        "将消防安全宣传培训融入普法宣传、社会综合治理、精神文明建设、平安社区创建等工作，纳入国民素质教育、公务员培训、职业技能培训等",
        ("区委宣传部",),
        (),
        "2026年6月底前",
        "1",
        "code",
    ),
    TaskTemplate(
        "推动社会多元共治",
        "将火灾风险排查融入网格管理范畴，完善火灾隐患举报投诉机制，建立“吹哨人”制度",
        ("区委政法委",),
        (),
        "持续开展",
        "1",
        "name",
    ),
    TaskTemplate(
        "高层住宅小区疏散逃生演练",
        "将高层住宅小区疏散逃生演练纳入民生实事项目，每个高层住宅小区每年至少组织开展1次演练",
        (S,),
        ("区应急局",),
        "2026年9月",
        "1",
        "name",
    ),
    TaskTemplate(
        "危险化学品经营场所消防安全整治",
        "对危险化学品经营、储存场所开展消防安全专项整治，督促落实安全间距和防火分隔",
        ("区应急局",),
        ("区市场监管局", "区经济信息委"),
        "2026-04-30",
        "1",
        "code",
    ),
)

# Indicators: id -> (name, kind, groups). Names must match the scheme exactly.
INDICATORS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("I01", "高层建筑消防物联感知设备接入率", "rate", ("镇街组",)),
    ("I02", "火灾隐患整改率", "rate", ("镇街组", "部门组")),
    ("I03", "消防工作会议或形势研判（次/季度）", "count", ("镇街组", "部门组")),
    ("I04", "党工委（党组）专题研究消防工作（次/季度）", "count", ("镇街组",)),
    ("I05", "消防宣传培训活动（场次/季度）", "count", ("镇街组", "部门组")),
    ("I06", "特殊群体“敲门行动”帮扶覆盖率", "rate", ("镇街组",)),
    ("I07", "疏散逃生演练（次/年）", "count", ("镇街组",)),
    ("I08", "行业领域消防安全检查覆盖率", "rate", ("部门组",)),
    ("I09", "约谈培训（次/年）", "count", ("部门组",)),
)

# I01 targets of the default scheme in percent, by 区域类型 and quarter (the clean
# background stays at or above them).
I01_TARGETS = {
    "中心城区": {1: 70, 2: 80, 3: 90, 4: 100},
    "其他": {1: 50, 2: 60, 3: 70, 4: 80},
}

ADJUSTMENT_ITEMS = (
    "通报表扬（市级）",
    "通报表扬（区级）",
    "经验做法被推广（市级）",
    "经验做法被推广（区级）",
    "通报批评（市级）",
    "通报批评（区级）",
    "被约谈",
    "挂牌督办隐患逾期未整改（每项）",
)

# Place types of fires (场所类型) with relative frequency: 住宅 dominates, as in real statistics.
PLACE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("住宅", 46),
    ("餐饮场所", 12),
    ("车辆", 8),
    ("其他", 8),
    ("商业综合体", 3),
    ("商场市场", 3),
    ("宾馆饭店", 2),
    ("娱乐场所", 2),
    ("建筑工地", 3),
    ("交通场站", 2),
    ("厂房库房", 2),
    ("学校", 1),
    ("幼儿园", 1),
    ("医院", 1),
    ("养老机构", 1),
    ("文物古建", 1),
    ("体育场馆", 1),
    ("宗教场所", 1),
    ("机关办公场所", 1),
    ("危化品经营场所", 1),
)

CAUSE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("电气火灾", 48),
    ("用火不慎", 18),
    ("吸烟", 8),
    ("生产作业", 6),
    ("自燃", 4),
    ("玩火", 3),
    ("放火", 1),
    ("其他", 6),
    ("原因不明", 6),
)

# Fires per year by street in 2025, and the 2026 factor (some streets up, some down).
FIRE_RATES: dict[str, tuple[int, float]] = {
    "JD01": (12, 0.8),
    "JD02": (9, 1.3),
    "JD03": (8, 1.0),
    "JD04": (6, 0.6),
    "JD05": (7, 1.2),
    "JD06": (6, 0.9),
    "JD07": (9, 1.0),
    "JD08": (7, 1.4),
    "JD09": (8, 0.7),
    "JD10": (10, 1.1),
    "JD11": (8, 0.9),
}

# ---------------------------------------------------------------------------
# The sample scenario (documented in data_samples/README.md).
# ---------------------------------------------------------------------------

SAMPLE_QUARTERS = ("2026Q1", "2026Q2")


@dataclass(frozen=True)
class Timeline:
    """When a unit started and finished a dated task (None = not yet)."""

    started: date | None
    done: date | None


# Dated tasks whose progress deviates from the clean background (full credit everywhere).
TIMELINES: dict[tuple[str, str], Timeline] = {
    # 已完成 after the deadline 2026-02-28: 20 days late, 1 month -> credit 0.9 in Q1 and Q2.
    ("BM12", "T17"): Timeline(date(2026, 1, 12), date(2026, 3, 20)),
    # 2026年3月底前 = Qend of Q1: 推进中 in Q1 is not overdue (1.0); done 2026-04-20 -> 0.9 in Q2.
    ("JD10", "T01"): Timeline(date(2026, 2, 3), date(2026, 4, 20)),
    # deadline 2026-05-31, still 推进中 at the end of Q2 -> overdue, 0.3.
    ("JD02", "T05"): Timeline(date(2026, 3, 2), None),
    # deadline 2026-05-31, 未启动 in Q1 (0.5) and Q2 (overdue, 0.0).
    ("JD11", "T05"): Timeline(None, None),
    # deadline 2026-05-31, 推进中 in Q2 -> overdue, 0.3.
    ("BM10", "T19"): Timeline(date(2026, 2, 16), None),
    # deadline 2026-04-30: 未启动 in Q1 (0.5); 已完成 2026-06-18, 49 days late -> 0.8 in Q2.
    ("BM16", "T33"): Timeline(date(2026, 4, 20), date(2026, 6, 18)),
    # 2026年6月底前 = Qend of Q2: 未启动 is not overdue -> 0.5 in Q1 and Q2.
    ("BM03", "T09"): Timeline(None, None),
    # 配合 (weight 0.5), 2026年9月: 未启动 -> 0.5 in Q1 and Q2.
    ("JD06", "T06"): Timeline(None, None),
    # --- the losses of a real quarter (README "The spread of 2026Q2") ---
    # 2026年3月底前: 推进中 in Q1 (not overdue); 已完成 2026-04-16, 16 days late -> 0.9 in Q2.
    ("JD11", "T01"): Timeline(date(2026, 2, 9), date(2026, 4, 16)),
    # 2026年9月 / 2026年12月底前: 未启动 -> 0.5 in Q1 and Q2 (lost in both quarters).
    ("JD11", "T32"): Timeline(None, None),
    ("JD08", "T32"): Timeline(None, None),
    ("BM08", "T06"): Timeline(None, None),
    ("BM16", "T32"): Timeline(None, None),
    ("BM14", "T18"): Timeline(None, None),
    ("BM07", "T10"): Timeline(None, None),
    ("BM01", "T24"): Timeline(None, None),
    # 2026年6月底前 = Qend of Q2: 未启动 is not yet overdue -> 0.5 in Q1 and Q2.
    ("JD10", "T04"): Timeline(None, None),
    # deadline 2026-05-31, 推进中 since Q1 -> overdue in Q2, 0.3.
    ("JD08", "T05"): Timeline(date(2026, 2, 25), None),
    ("JD09", "T05"): Timeline(date(2026, 3, 16), None),
    ("JD10", "T05"): Timeline(date(2026, 3, 23), None),
    ("BM07", "T05"): Timeline(date(2026, 3, 9), None),
    # deadline 2026-04-30 (T11) and 2026-05-31 (T19, 配合 with the lead BM10): 推进中, overdue
    # in Q2 -> 0.3.
    ("BM10", "T11"): Timeline(date(2026, 3, 2), None),
    ("BM19", "T19"): Timeline(date(2026, 2, 20), None),
}

# 持续开展 tasks reported without full credit: (quarter, unit, task) -> (times, evidence).
ONGOING: dict[tuple[str, str, str], tuple[int, str]] = {
    ("2026Q2", "JD07", "T26"): (0, ""),  # 0 times -> 0.0
    ("2026Q2", "JD09", "T13"): (4, ""),  # times without evidence -> 0.6
    ("2026Q1", "JD04", "T08"): (2, ""),  # times without evidence -> 0.6 (full again in Q2)
    # 2026Q2: 0 times -> 0.0
    ("2026Q2", "JD05", "T12"): (0, ""),
    ("2026Q2", "JD06", "T13"): (0, ""),
    ("2026Q2", "JD08", "T26"): (0, ""),
    ("2026Q2", "JD09", "T08"): (0, ""),
    ("2026Q2", "JD10", "T27"): (0, ""),
    ("2026Q2", "JD11", "T12"): (0, ""),
    # 2026Q2: times without evidence -> 0.6
    ("2026Q2", "JD02", "T27"): (3, ""),
    ("2026Q2", "JD09", "T26"): (2, ""),
    ("2026Q2", "JD11", "T27"): (2, ""),
    ("2026Q2", "BM02", "T27"): (2, ""),
    ("2026Q2", "BM03", "T03"): (3, ""),
    ("2026Q2", "BM03", "T08"): (1, ""),
    ("2026Q2", "BM04", "T13"): (2, ""),
    ("2026Q2", "BM07", "T03"): (4, ""),
    ("2026Q2", "BM09", "T12"): (3, ""),
    ("2026Q2", "BM10", "T02"): (2, ""),
    ("2026Q2", "BM12", "T02"): (3, ""),
    ("2026Q2", "BM18", "T31"): (2, ""),
    ("2026Q2", "BM20", "T27"): (1, ""),
}

# Task rows left out of a submission (漏报, a warning; credit 0).
MISSING_TASK_ROWS: frozenset[tuple[str, str, str]] = frozenset({("2026Q2", "BM14", "T12")})

# Indicator values that fall short (or are not applicable): (quarter, unit, id) -> (value, 分母).
INDICATOR_VALUES: dict[tuple[str, str, str], tuple[int, int | None]] = {
    ("2026Q1", "JD04", "I01"): (0, 0),  # no high-rise buildings: not applicable
    ("2026Q2", "JD04", "I01"): (0, 0),
    ("2026Q2", "JD06", "I01"): (30, 48),  # 62.5% of 80% -> 6 x 0.78125 = 4.6875
    ("2026Q1", "JD03", "I06"): (38, 40),  # 95% of 100% -> 3 x 0.95 = 2.85
    ("2026Q2", "JD08", "I02"): (45, 50),  # 90% of 95% -> 5 x 0.947368...
    ("2026Q2", "JD10", "I04"): (2, None),  # 2 of 3 -> 3 x 2/3 = 2
    ("2026Q2", "BM09", "I08"): (90, 100),  # 90% of 100% -> 6 x 0.9 = 5.4
    ("2026Q2", "BM01", "I05"): (1, None),  # 1 of 2 -> 4 x 0.5 = 2
    ("2026Q1", "BM07", "I03"): (0, None),  # 0 of 1 -> 0
    # --- the losses of a real quarter (README "The spread of 2026Q2") ---
    ("2026Q1", "JD08", "I02"): (40, 46),  # 86.96% of 95% (lost again in Q2)
    ("2026Q1", "BM05", "I05"): (1, None),  # 1 of 2 -> 4 x 0.5 = 2
    ("2026Q1", "BM09", "I08"): (92, 100),  # 92% (lost again in Q2)
    ("2026Q1", "BM17", "I02"): (27, 30),  # 90% of 95%
    ("2026Q1", "BM20", "I08"): (96, 100),  # 96%
    ("2026Q1", "BM06", "I08"): (110, 115),  # 95.65%
    ("2026Q1", "BM10", "I02"): (46, 50),  # 92% of 95%
    ("2026Q1", "BM18", "I02"): (33, 36),  # 91.67% of 95%
    ("2026Q2", "JD02", "I05"): (1, None),  # 1 of 2 -> 3 x 0.5 = 1.5
    ("2026Q2", "JD05", "I01"): (36, 50),  # 72% of 80% -> 6 x 0.9 = 5.4
    ("2026Q2", "JD11", "I03"): (0, None),  # 0 of 1 -> 0 (3 lost)
    ("2026Q2", "JD11", "I04"): (2, None),  # 2 of 3 -> 2 (1 lost)
    ("2026Q2", "BM02", "I02"): (42, 48),  # 87.5% of 95%
    ("2026Q2", "BM03", "I02"): (44, 50),  # 88% of 95%
    ("2026Q2", "BM06", "I03"): (0, None),  # 0 of 1 -> 0 (5 lost)
    ("2026Q2", "BM10", "I08"): (57, 60),  # 95%
    ("2026Q2", "BM12", "I08"): (38, 40),  # 95%
    ("2026Q2", "BM13", "I05"): (1, None),  # 1 of 2 -> 2
    ("2026Q2", "BM13", "I08"): (54, 60),  # 90%
    ("2026Q2", "BM14", "I02"): (40, 44),  # 90.91% of 95%
    ("2026Q2", "BM15", "I05"): (1, None),  # 1 of 2 -> 2
    ("2026Q2", "BM17", "I05"): (1, None),  # 1 of 2 -> 2
}

# Indicator rows left out of a submission (a warning; the indicator scores 0).
MISSING_INDICATOR_ROWS: frozenset[tuple[str, str, str]] = frozenset({("2026Q2", "BM06", "I09")})


@dataclass(frozen=True)
class Delivery:
    """One file a unit sent: when, under which name, and what is wrong with it."""

    received_at: datetime
    file_name: str
    defect: str = ""  # "" = valid; see generate.DEFECTS
    draft: bool = False  # an earlier valid version, superseded by a later one


# Deliveries that deviate from "one valid file, on time". Empty list = missing.
DELIVERIES: dict[tuple[str, str], list[Delivery]] = {
    # Q1: 区交通局 3 days late.
    ("2026Q1", "BM11"): [
        Delivery(datetime(2026, 4, 13, 10, 26), "区交通局2026年一季度考核表.xlsx")
    ],
    # Q1: 区教委 sends two valid versions; the later one (T15 推进中) supersedes the draft.
    ("2026Q1", "BM02"): [
        Delivery(datetime(2026, 4, 3, 11, 5), "区教委消防工作考核填报表.xlsx", draft=True),
        Delivery(datetime(2026, 4, 8, 15, 47), "区教委消防工作考核填报表（修改版）.xlsx"),
    ],
    # Q1: on the deadline day, late afternoon: on time.
    ("2026Q1", "JD09"): [Delivery(datetime(2026, 4, 10, 17, 55), "石油路街道一季度消防考核.xlsx")],
    # Q2: late by 1, 2 and 4 days.
    ("2026Q2", "JD05"): [
        Delivery(datetime(2026, 7, 11, 9, 12), "菜园坝街道2026年第二季度消防工作考核填报表.xlsx")
    ],
    ("2026Q2", "BM08"): [Delivery(datetime(2026, 7, 12, 15, 40), "城管局二季度消防考核材料.xlsx")],
    ("2026Q2", "BM13"): [
        Delivery(datetime(2026, 7, 14, 10, 5), "区规划自然资源局2026Q2消防考核表.xlsx")
    ],
    # Q2: 区司法局 sends nothing.
    ("2026Q2", "BM05"): [],
    # Q2: 两路口 first file rejected (完成状态 “已完”), corrected version on time.
    ("2026Q2", "JD07"): [
        Delivery(
            datetime(2026, 7, 6, 10, 20), "两路口街道2026年二季度考核表.xlsx", defect="bad_status"
        ),
        Delivery(datetime(2026, 7, 9, 16, 5), "两路口街道2026年二季度考核表（更正）.xlsx"),
    ],
    # Q2: on the deadline day, late evening: on time.
    ("2026Q2", "JD09"): [
        Delivery(datetime(2026, 7, 10, 23, 41), "石油路街道二季度消防考核（终稿）.xlsx")
    ],
}

# The row whose 完成状态 the rejected file of 两路口 spells “已完” (任务进展!C7).
REJECTED_ROWS: dict[tuple[str, str], str] = {("2026Q2", "JD07"): "T06"}

# The draft of 区教委 in Q1 reports T15 as 未启动 (the final version: 推进中).
DRAFT_STATUS: dict[tuple[str, str, str], str] = {("2026Q1", "BM02", "T15"): "未启动"}

# Valid but untidy values, as people type them: (quarter, unit, task) -> how.
MESSY_TASK_CELLS: dict[tuple[str, str, str], str] = {
    ("2026Q2", "JD08", "T08"): "times_as_text",  # 本季度开展次数 written as text "3"
    ("2026Q1", "BM07", "T06"): "status_spaces",  # 完成状态 " 已完成 " with stray spaces
    ("2026Q2", "BM15", "T14"): "times_fullwidth",  # 本季度开展次数 in full-width digits "５"
}


@dataclass(frozen=True)
class SpecialFire:
    """A fire written by hand into the sample: (quarter, street, place, deaths, injuries, loss)."""

    quarter: str
    when: datetime
    street: str
    place: str
    cause: str
    deaths: int
    injuries: int
    loss: float
    grade: str = ""  # "" = left blank (derived)


SPECIAL_FIRES: tuple[SpecialFire, ...] = (
    # The 较大 fire: 3 deaths -> 较大 -> 一票否决 for 七星岗 (JD03); counts against 区商务委 too.
    SpecialFire("2026Q2", datetime(2026, 5, 17, 2, 40), "JD03", "餐饮场所", "用火不慎", 3, 2, 86.5),
    # One death in a dwelling fire in 上清寺 (JD08) in Q1 (一般).
    SpecialFire("2026Q1", datetime(2026, 2, 11, 23, 15), "JD08", "住宅", "电气火灾", 1, 0, 3.2),
)

# 2025 history: two 1-death fires (一般).
SPECIAL_HISTORY_FIRES: tuple[SpecialFire, ...] = (
    SpecialFire("2025Q1", datetime(2025, 1, 24, 21, 30), "JD10", "住宅", "用火不慎", 1, 1, 2.6),
    SpecialFire("2025Q4", datetime(2025, 11, 8, 4, 5), "JD02", "住宅", "电气火灾", 1, 0, 5.4),
)

# The office's 加减分 rows: quarter -> (unit, 事项, 分值 override or None, 事由, 依据文号, date).
ADJUSTMENTS: dict[str, tuple[tuple[str, str, float | None, str, str, date], ...]] = {
    "2026Q1": (
        (
            "JD06",
            "通报表扬（区级）",
            None,
            "春节期间消防安全保卫工作成效突出",
            "渝中消委办〔2026〕3号",
            date(2026, 2, 26),
        ),
        (
            "JD02",
            "通报表扬（区级）",
            None,
            "高层建筑消防用水问题整治进度快",
            "渝中消委办〔2026〕5号",
            date(2026, 3, 18),
        ),
        (
            "BM07",
            "被约谈",
            None,
            "建设工程消防验收专项治理推进缓慢",
            "渝中消委办〔2026〕7号",
            date(2026, 3, 25),
        ),
    ),
    "2026Q2": (
        (
            "JD01",
            "通报表扬（市级）",
            None,
            "“高楼消防”应用经验在全市推广",
            "渝消委办〔2026〕21号",
            date(2026, 5, 12),
        ),
        (
            "JD01",
            "经验做法被推广（区级）",
            None,
            "物业服务企业消防安全标准化管理试点",
            "渝中消委办〔2026〕14号",
            date(2026, 6, 3),
        ),
        (
            "BM02",
            "经验做法被推广（市级）",
            2.0,
            "校园消防安全教育读本进课堂做法被市教委转发",
            "渝教安〔2026〕9号",
            date(2026, 6, 10),
        ),
        (
            "BM11",
            "通报批评（区级）",
            None,
            "交通场站消防安全检查发现问题整改不到位",
            "渝中消委办〔2026〕16号",
            date(2026, 6, 16),
        ),
        (
            "JD09",
            "挂牌督办隐患逾期未整改（每项）",
            None,
            "石油路某商住楼消防水池渗漏隐患逾期未整改",
            "渝中消委办〔2026〕11号",
            date(2026, 6, 22),
        ),
        (
            "JD09",
            "挂牌督办隐患逾期未整改（每项）",
            None,
            "石油路某农贸市场疏散通道隐患逾期未整改",
            "渝中消委办〔2026〕11号",
            date(2026, 6, 22),
        ),
        # After the 较大 fire of 2026-05-17 in a 餐饮场所: the department answering for
        # 餐饮场所 is criticised by the city and summoned (-7: 良好 instead of 优秀).
        (
            "BM09",
            "通报批评（市级）",
            None,
            "七星岗“5·17”较大火灾暴露餐饮场所行业监管不到位",
            "渝消委办〔2026〕27号",
            date(2026, 5, 28),
        ),
        (
            "BM09",
            "被约谈",
            None,
            "餐饮场所消防安全专项整治推进缓慢",
            "渝中消委办〔2026〕18号",
            date(2026, 6, 5),
        ),
        (
            "BM13",
            "通报批评（区级）",
            None,
            "公共消防设施建设项目选址用地保障滞后",
            "渝中消委办〔2026〕19号",
            date(2026, 6, 24),
        ),
        (
            "JD08",
            "通报批评（区级）",
            None,
            "电动自行车进楼入户、飞线充电整治不力",
            "渝中消委办〔2026〕20号",
            date(2026, 6, 26),
        ),
    ),
}

# Sheets whose header sits on row 3 (a subtitle row above it), to exercise header detection.
HEADER_ON_ROW_3: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("2026Q1", "JD03", "任务进展"),
        ("2026Q1", "BM09", "工作指标"),
        ("2026Q1", "ZD01", "火灾情况"),
        ("2026Q2", "JD10", "任务进展"),
        ("2026Q2", "JD10", "工作指标"),
        ("2026Q2", "BM04", "基本信息"),
        ("2026Q2", "BM12", "任务进展"),
        ("2026Q2", "XAB", "加减分"),
    }
)
