"""Sample policy records, realistic and reproducible, for the example collection, tests and benchmarks.

A run is fixed by its seed: the same seed gives the same records, byte for byte, on any machine. To keep that
promise the generator draws only from one `random.Random` through methods whose algorithms Python keeps stable
(`random`, `randint`, `choice`, `choices`, `sample`, `triangular`), and it never iterates over a set. Records are
generated one after another and only ever look back, so the first N records of a seed are the same whatever the
count, and a run streams: memory holds the ids issued so far, not the records.

Every tenth record (by index) carries keys the schema does not know, and every twentieth a string that a YAML
writer must quote, so any slice of ten or twenty records exercises the import's residue and the codec's quoting.
"""

from __future__ import annotations

import datetime
import os
import random
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from policies.codec import frontmatter
from policies.models import ANALYSIS_DIMENSIONS, HUMAN_AUDIT_PENDING

Lang = Literal["zh", "en"]
Data = dict[str, Any]

AUTHOR = "Gemini Intelligence"
# The collection's "today": no record is published or audited after it.
COLLECTION_DATE = datetime.date(2026, 2, 27)
MAX_FACILITIES = 1400

_YEARS = tuple(range(2005, 2027))
_YEAR_WEIGHTS = tuple(1 if y < 2010 else 2 if y < 2015 else 4 if y < 2020 else 8 if y < 2024 else 10 for y in _YEARS)
_EARLIEST_AUDIT = datetime.date(2025, 3, 1)

# Facility ids as the collection stores them: numbers, a few split into '-2', '-3' parts.
_SPLIT_FACILITIES = {"87": 2, "212": 2, "487": 2, "651": 3, "863": 2, "1103": 2, "1277": 2}
_FACILITY_IDS = tuple(
    [str(n) for n in range(1, MAX_FACILITIES + 1)]
    + [f"{n}-{part}" for n, parts in _SPLIT_FACILITIES.items() for part in range(2, parts + 1)]
)


@dataclass(frozen=True)
class Region:
    slug: str
    name: str
    source: str
    host: str


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    country: str
    lang: Lang
    place: str
    scope: str
    authorities: tuple[tuple[str, str, str], ...]  # (authority as written, source, web host)
    clusters: tuple[str, ...]
    citations: tuple[str, ...]
    currency: str
    regions: tuple[Region, ...] = ()
    region_scope: str = "Regional"
    international: bool = False


@dataclass(frozen=True)
class Topic:
    slug: str
    category: str
    zh: str
    en: str
    international: bool = False


def _regions(*rows: tuple[str, str, str, str]) -> tuple[Region, ...]:
    return tuple(Region(*row) for row in rows)


_INTL_CITATIONS = (
    "Decision {n}/CMA.{k}",
    "SBM Standards {year}",
    "Resolution LP.{k}({n})",
    "ISO 27914:{year}",
    "MEPC.{big}({n})",
    "Article 6.4 SB Strategic Plan",
)
_INTL_CLUSTERS = (
    "UNFCCC Paris Agreement implementation",
    "International Carbon Markets",
    "London Protocol",
    "ISO/TC 265 Standards",
)
_EU_CLUSTERS = ("EU Fit for 55", "EU ETS Phase IV", "Net-Zero Industry Act", "CCS Directive Transposition")

JURISDICTIONS: tuple[Jurisdiction, ...] = (
    Jurisdiction(
        "cn",
        "中国",
        "zh",
        "国家",
        "National",
        (
            ("生态环境部 (MEE)", "MEE", "www.mee.gov.cn"),
            ("国家发展和改革委员会 (NDRC)", "NDRC", "www.ndrc.gov.cn"),
            ("国家能源局 (NEA)", "NEA", "www.nea.gov.cn"),
            ("财政部 (MOF)", "MOF", "www.mof.gov.cn"),
            ("国家市场监督管理总局 (SAMR)", "SAMR", "www.samr.gov.cn"),
        ),
        ("China National ETS", "CCUS Demonstration Projects", "Dual Carbon Goals (30·60)", "CCER Relaunch"),
        (
            "{doc}第{cn_num}条",
            "生态环境部公告 {year} 年第 {n} 号",
            "GB/T {big}-{year}",
            "环办气候〔{year}〕{n} 号",
            "发改环资〔{year}〕{big} 号",
        ),
        "元",
        _regions(
            ("guangdong", "广东省", "广东省生态环境厅", "gdee.gd.gov.cn"),
            ("shanghai", "上海市", "上海市生态环境局", "sthj.sh.gov.cn"),
            ("beijing", "北京市", "北京市生态环境局", "sthjj.beijing.gov.cn"),
            ("hubei", "湖北省", "湖北省生态环境厅", "sthjt.hubei.gov.cn"),
            ("shenzhen", "深圳市", "深圳市生态环境局", "meeb.sz.gov.cn"),
            ("tianjin", "天津市", "天津市生态环境局", "sthj.tj.gov.cn"),
            ("chongqing", "重庆市", "重庆市生态环境局", "sthjj.cq.gov.cn"),
            ("fujian", "福建省", "福建省生态环境厅", "sthjt.fujian.gov.cn"),
            ("shandong", "山东省", "山东省生态环境厅", "sthj.shandong.gov.cn"),
            ("inner-mongolia", "内蒙古自治区", "内蒙古自治区生态环境厅", "sthjt.nmg.gov.cn"),
            ("xinjiang", "新疆维吾尔自治区", "新疆维吾尔自治区生态环境厅", "sthjt.xinjiang.gov.cn"),
            ("shaanxi", "陕西省", "陕西省生态环境厅", "sthjt.shaanxi.gov.cn"),
            ("jiangsu", "江苏省", "江苏省生态环境厅", "sthjt.jiangsu.gov.cn"),
            ("hainan", "海南省", "海南省生态环境厅", "hnsthb.hainan.gov.cn"),
        ),
        "Provincial",
    ),
    Jurisdiction(
        "us",
        "美国",
        "zh",
        "美国",
        "National",
        (
            ("美国国税局 (IRS)", "IRS", "www.irs.gov"),
            ("美国环境保护署 (EPA)", "EPA", "www.epa.gov"),
            ("美国能源部 (DOE)", "DOE", "www.energy.gov"),
            ("管道与危险材料安全管理局 (PHMSA)", "PHMSA", "www.phmsa.dot.gov"),
        ),
        ("US IRA Clean Energy Credits", "DOE Regional DAC Hubs", "Class VI Primacy"),
        (
            "26 U.S.C. § 45Q({letter})",
            "40 CFR Part 146, Subpart H",
            "40 CFR § 146.{n}",
            "Inflation Reduction Act § 13104",
            "DE-FOA-000{big}",
        ),
        "美元",
        _regions(
            ("california", "加利福尼亚州", "CARB", "ww2.arb.ca.gov"),
            ("texas", "得克萨斯州", "Railroad Commission of Texas", "www.rrc.texas.gov"),
            ("louisiana", "路易斯安那州", "LDENR", "www.dnr.louisiana.gov"),
            ("north-dakota", "北达科他州", "NDIC", "www.dmr.nd.gov"),
            ("wyoming", "怀俄明州", "Wyoming DEQ", "deq.wyoming.gov"),
            ("illinois", "伊利诺伊州", "Illinois EPA", "epa.illinois.gov"),
            ("west-virginia", "西弗吉尼亚州", "WVDEP", "dep.wv.gov"),
        ),
        "State",
    ),
    Jurisdiction(
        "jp",
        "日本",
        "zh",
        "日本",
        "National",
        (
            ("经济产业省 (METI)", "METI", "www.meti.go.jp"),
            ("日本能源金属矿物资源机构 (JOGMEC)", "JOGMEC", "www.jogmec.go.jp"),
            ("环境省 (MOE)", "MOE Japan", "www.env.go.jp"),
        ),
        ("Japan GX League", "Japan Advanced CCS Projects", "Asia CCUS Network"),
        ("CCS 事业法 第 {n} 条", "METI 告示 {year} 年第 {n} 号", "GX 推进法 第 {n} 条"),
        "日元",
        _regions(
            ("hokkaido", "北海道", "北海道厅", "www.pref.hokkaido.lg.jp"),
            ("niigata", "新潟县", "新潟县政府", "www.pref.niigata.lg.jp"),
        ),
        "Prefectural",
    ),
    Jurisdiction(
        "kr",
        "韩国",
        "zh",
        "韩国",
        "National",
        (("产业通商资源部 (MOTIE)", "MOTIE", "www.motie.go.kr"), ("环境部 (ME)", "ME Korea", "www.me.go.kr")),
        ("K-ETS", "Korea CCUS Act Implementation"),
        ("《碳中和基本法》第 {n} 条", "CCUS 法 第 {n} 条", "K-ETS 分配计划 {year}"),
        "韩元",
    ),
    Jurisdiction(
        "intl",
        "国际",
        "zh",
        "全球",
        "International",
        (
            ("UNFCCC 第 6.4 条监管机构 (Supervisory Body)", "UNFCCC", "unfccc.int"),
            ("国际海事组织 (IMO)", "IMO", "www.imo.org"),
            ("国际标准化组织 (ISO/TC 265)", "ISO", "www.iso.org"),
            ("国际能源署 (IEA)", "IEA", "www.iea.org"),
        ),
        _INTL_CLUSTERS,
        _INTL_CITATIONS,
        "美元",
        international=True,
    ),
    Jurisdiction(
        "intl",
        "International",
        "en",
        "the world",
        "International",
        (
            ("UNFCCC Article 6.4 Supervisory Body", "UNFCCC", "unfccc.int"),
            ("International Maritime Organization (IMO)", "IMO", "www.imo.org"),
            ("ISO Technical Committee 265", "ISO", "www.iso.org"),
            ("International Energy Agency (IEA)", "IEA", "www.iea.org"),
        ),
        _INTL_CLUSTERS,
        _INTL_CITATIONS,
        "$",
        international=True,
    ),
    Jurisdiction(
        "eu",
        "European Union",
        "en",
        "EU",
        "Supranational",
        (
            ("European Commission, DG CLIMA", "European Commission", "climate.ec.europa.eu"),
            ("European Parliament and Council", "EUR-Lex", "eur-lex.europa.eu"),
            (
                "European Climate, Infrastructure and Environment Executive Agency (CINEA)",
                "CINEA",
                "cinea.ec.europa.eu",
            ),
        ),
        _EU_CLUSTERS,
        (
            "Directive 2009/31/EC, Article {n}",
            "Regulation (EU) {year}/{big}, Article {n}",
            "Commission Delegated Regulation (EU) {year}/{big}",
            "COM({year}) {big} final",
        ),
        "€",
    ),
    Jurisdiction(
        "uk",
        "United Kingdom",
        "en",
        "UK",
        "National",
        (
            ("Department for Energy Security and Net Zero (DESNZ)", "GOV.UK", "www.gov.uk"),
            ("North Sea Transition Authority (NSTA)", "NSTA", "www.nstauthority.co.uk"),
            ("UK Parliament", "legislation.gov.uk", "www.legislation.gov.uk"),
            ("Ofgem", "Ofgem", "www.ofgem.gov.uk"),
        ),
        ("UK CCUS Cluster Sequencing", "UK ETS", "North Sea Transition Deal"),
        (
            "Energy Act 2023, s. {n}",
            "The Storage of Carbon Dioxide (Licensing etc.) Regulations 2010, reg. {n}",
            "Cluster Sequencing Track-{k} Guidance",
        ),
        "£",
        _regions(
            ("scotland", "Scotland", "Scottish Government", "www.gov.scot"),
            ("wales", "Wales", "Welsh Government", "www.gov.wales"),
        ),
        "Devolved",
    ),
    Jurisdiction(
        "no",
        "Norway",
        "en",
        "Norway",
        "National",
        (
            ("Ministry of Energy", "regjeringen.no", "www.regjeringen.no"),
            ("Norwegian Offshore Directorate", "Sodir", "www.sodir.no"),
            ("Gassnova SF", "Gassnova", "gassnova.no"),
        ),
        ("Longship", "Northern Lights", "North Sea CCS Hubs"),
        ("CO2 Storage Regulations (FOR-2014-12-05-1517) § {n}", "Petroleum Act § {n}-{k}", "Prop. {big} S ({year})"),
        "NOK ",
    ),
    Jurisdiction(
        "ca",
        "Canada",
        "en",
        "Canada",
        "National",
        (
            ("Department of Finance Canada", "Finance Canada", "www.canada.ca"),
            ("Environment and Climate Change Canada (ECCC)", "ECCC", "www.canada.ca"),
            ("Natural Resources Canada", "NRCan", "natural-resources.canada.ca"),
        ),
        ("Canada CCUS Investment Tax Credit", "Pathways Alliance", "Alberta TIER"),
        ("Income Tax Act, s. 127.44({n})", "SOR/{year}-{big}", "Carbon Sequestration Tenure Regulation, s. {n}"),
        "C$",
        _regions(
            ("alberta", "Alberta", "Government of Alberta", "www.alberta.ca"),
            ("saskatchewan", "Saskatchewan", "Government of Saskatchewan", "www.saskatchewan.ca"),
            ("british-columbia", "British Columbia", "Government of British Columbia", "www2.gov.bc.ca"),
        ),
        "Provincial",
    ),
    Jurisdiction(
        "au",
        "Australia",
        "en",
        "Australia",
        "National",
        (
            ("Clean Energy Regulator", "CER", "cer.gov.au"),
            ("Department of Climate Change, Energy, the Environment and Water (DCCEEW)", "DCCEEW", "www.dcceew.gov.au"),
            ("National Offshore Petroleum Titles Administrator (NOPTA)", "NOPTA", "www.nopta.gov.au"),
        ),
        ("Safeguard Mechanism", "Australian Carbon Credit Units (ACCU)", "Offshore GHG Storage"),
        (
            "Safeguard Rule {year}, s. {n}",
            "Offshore Petroleum and Greenhouse Gas Storage Act 2006, s. {n}",
            "CCS Method {year}, s. {n}",
        ),
        "A$",
        _regions(
            ("victoria", "Victoria", "Victorian Government", "www.vic.gov.au"),
            ("western-australia", "Western Australia", "Government of Western Australia", "www.wa.gov.au"),
            ("queensland", "Queensland", "Queensland Government", "www.qld.gov.au"),
            ("south-australia", "South Australia", "Government of South Australia", "www.sa.gov.au"),
        ),
        "State",
    ),
    Jurisdiction(
        "de",
        "Germany",
        "en",
        "Germany",
        "National",
        (("Federal Ministry for Economic Affairs and Climate Action (BMWK)", "BMWK", "www.bmwk.de"),),
        ("EU Fit for 55", "German Carbon Management Strategy"),
        ("KSpG § {n}", "Carbon Management Strategy {year}, ch. {k}"),
        "€",
    ),
    Jurisdiction(
        "nl",
        "Netherlands",
        "en",
        "Netherlands",
        "National",
        (
            ("Ministry of Climate and Green Growth", "Government.nl", "www.government.nl"),
            ("Netherlands Enterprise Agency (RVO)", "RVO", "english.rvo.nl"),
        ),
        ("SDE++", "Porthos", "Aramis"),
        ("Mijnbouwwet art. {n}", "SDE++ Regulation {year}, art. {n}"),
        "€",
    ),
)
_JURISDICTION_WEIGHTS = (30, 12, 6, 3, 6, 4, 8, 8, 5, 6, 5, 3, 3)

TOPICS: tuple[Topic, ...] = (
    Topic("ccus-pilot", "Strategy", "{place}碳捕集利用与封存（CCUS）试点实施方案", "{place} CCUS Pilot Programme"),
    Topic("ets-rules", "Market", "{place}碳排放权交易管理办法", "{place} Emissions Trading Scheme Rules"),
    Topic(
        "storage-permit",
        "Regulation",
        "{place}二氧化碳地质封存许可管理规定",
        "{place} CO2 Geological Storage Permitting Regulations",
    ),
    Topic("ccs-tax-credit", "Incentive", "{place}碳捕集与封存税收抵免政策", "{place} Carbon Capture Tax Credit"),
    Topic(
        "mrv-guideline",
        "Standard",
        "{place}二氧化碳捕集、运输与封存监测核算指南",
        "{place} CCS Monitoring, Reporting and Verification Guidelines",
    ),
    Topic("hydrogen-roadmap", "Strategy", "{place}低碳氢产业发展规划", "{place} Low-Carbon Hydrogen Strategy"),
    Topic(
        "pipeline-standard",
        "Standard",
        "{place}二氧化碳输送管道工程技术规范",
        "{place} CO2 Pipeline Transport Standard",
    ),
    Topic(
        "cdr-procurement", "Incentive", "{place}碳移除采购与激励计划", "{place} Carbon Removal Procurement Programme"
    ),
    Topic("carbon-ccfd", "Incentive", "{place}碳差价合约（CCfD）实施细则", "{place} Carbon Contracts for Difference"),
    Topic("net-zero-strategy", "Strategy", "{place}碳达峰碳中和实施方案", "{place} Net Zero Strategy"),
    Topic("climate-finance", "Incentive", "{place}气候投融资试点工作方案", "{place} Green Finance Framework"),
    Topic(
        "offset-methodology",
        "Standard",
        "{place}温室气体自愿减排项目方法学（CCUS-EOR）",
        "{place} Carbon Offset Methodology for CCS",
    ),
    Topic(
        "storage-liability",
        "Regulation",
        "{place}封存场地长期责任移交管理办法",
        "{place} Storage Site Long-Term Liability Transfer Rules",
    ),
    Topic(
        "cluster-funding",
        "Incentive",
        "{place} CCUS 产业集群建设专项资金管理办法",
        "{place} CCUS Cluster Funding Scheme",
    ),
    Topic(
        "emission-standard",
        "Regulation",
        "{place}燃煤电厂碳排放强度标准",
        "{place} Emissions Performance Standard for Power Plants",
    ),
    Topic(
        "industrial-decarbonisation",
        "Strategy",
        "{place}工业领域碳达峰行动方案",
        "{place} Industrial Decarbonisation Strategy",
    ),
    Topic("methane-rules", "Regulation", "{place}油气行业甲烷排放控制规定", "{place} Oil and Gas Methane Regulations"),
    Topic("cbam-response", "Market", "{place}碳边境调节机制应对方案", "{place} Carbon Border Adjustment Rules"),
    Topic("carbon-tax", "Market", "{place}碳税征收管理办法", "{place} Carbon Tax Act"),
    Topic(
        "dac-hubs", "Incentive", "{place}直接空气捕集（DAC）枢纽支持计划", "{place} Direct Air Capture Hubs Programme"
    ),
    Topic(
        "paris-art-6-4",
        "Market",
        "《巴黎协定》第 6.4 条碳交易机制 (含 CCS/CDR 标准)",
        "Paris Agreement Article 6.4 Mechanism (incl. CCS/CDR Standards)",
        international=True,
    ),
    Topic(
        "london-protocol-export",
        "Regulation",
        "《伦敦议定书》二氧化碳跨境封存出口修正案",
        "London Protocol Amendment on Cross-Border CO2 Export",
        international=True,
    ),
    Topic("iso-27914", "Standard", "ISO 27914 二氧化碳地质封存国际标准", "ISO 27914 Geological Storage of CO2", True),
    Topic(
        "imo-onboard-capture",
        "Regulation",
        "国际海事组织船载碳捕集导则",
        "IMO Guidelines for Onboard Carbon Capture",
        international=True,
    ),
    Topic(
        "a6-4-removals-standard",
        "Standard",
        "第 6.4 条碳移除活动标准",
        "Article 6.4 Standard for Removal Activities",
        international=True,
    ),
    Topic(
        "ccus-finance-facility", "Incentive", "多边开发银行 CCUS 融资便利", "Multilateral CCUS Finance Facility", True
    ),
    Topic("global-methane-pledge", "Strategy", "全球甲烷承诺", "Global Methane Pledge", international=True),
)
_NATIONAL_TOPICS = tuple(t for t in TOPICS if not t.international)
_INTERNATIONAL_TOPICS = tuple(t for t in TOPICS if t.international)

_LEGAL_WEIGHTS = {
    "Market": ("Administrative Regulation", "Departmental Rule", "Statute"),
    "Regulation": ("Law", "Administrative Regulation", "Departmental Rule", "Statute"),
    "Incentive": ("Statute", "Fiscal Policy", "Normative Document"),
    "Standard": ("Technical Standard", "National Standard", "Industry Standard"),
    "Strategy": ("Policy Guidance", "Normative Document", "Strategic Plan"),
}
_STATUSES = ("Active", "Draft", "Proposed", "Superseded", "Expired", "Repealed")
_STATUS_WEIGHTS_BY_ERA = (
    (2015, (45, 0, 0, 38, 12, 5)),
    (2023, (74, 2, 2, 15, 4, 3)),
    (2024, (70, 10, 12, 5, 2, 1)),
    (2026, (40, 28, 28, 2, 1, 1)),
)
_SECTORS = (
    "Power",
    "Cement",
    "Steel",
    "Chemicals",
    "Oil & Gas",
    "Refining",
    "Hydrogen",
    "Fertiliser",
    "Waste-to-Energy",
    "Direct Air Capture",
    "Bioenergy",
    "Shipping",
    "Aviation",
    "Pulp & Paper",
)
_UNKNOWN_SUPERSEDED = (
    "clean-development-mechanism-legacy",
    "kyoto-protocol-ji-legacy",
    "eu-ets-phase-2-nap",
    "cn-ets-pilot-2011-legacy",
    "us-45q-2008-original",
)
# Distinguish two policies of one lineage and year, as a second file name would.
_QUALIFIERS = ("amendment", "implementing-rules", "consultation", "interim", "revision", "annex", "notice", "guidance")
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ZH_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Phrases:
    """The wording of one language; templates are filled by `_fill`."""

    labels: dict[str, tuple[str, ...]]
    evidence: dict[str, tuple[str, ...]]
    subjects: tuple[str, ...]
    closers: tuple[str, ...]
    impact: dict[str, tuple[str, ...]]
    mechanisms: dict[str, tuple[str, ...]]
    funding: tuple[str, ...]
    tags: tuple[str, ...]
    aims: tuple[str, ...]
    goals: tuple[str, ...]
    details: tuple[str, ...]
    outlooks: tuple[str, ...]
    progress: tuple[str, ...]
    headings: tuple[str, str, str, str]  # overview, key provisions, progress, sources
    opening: str
    global_mechanism: str
    global_funding: str
    provision: str
    phase_label: str


ZH = Phrases(
    labels={
        "market": ("碳价信号", "配额有偿分配", "CCER 抵消通道", "A6.4ERs 主权基准", "碳信用可交易性", "价格走廊机制"),
        "mrv": ("缓冲池与逆转监测", "全链条计量", "第三方核查", "封存泄漏监测", "在线监测系统", "十年期场地监测"),
        "statutory": ("国际公约效力", "部门规章效力", "地方性法规", "规范性文件", "行政许可依据", "罚则完备"),
        "strategic": ("全球 CDR 枢纽", "双碳目标支撑", "产业集群引领", "区域示范效应", "能源安全协同", "氢能耦合"),
        "incentive": ("合规市场溢价", "税收抵免", "专项资金补贴", "绿色信贷贴息", "差价合约保障", "碳减排支持工具"),
    },
    evidence={
        "market": (
            "{subject}确立了覆盖 {n} 家重点排放单位的配额分配规则，实现了物理减排量与可交易碳信用的深度绑定，{closer}",
            "{subject}允许 CCUS 项目产生的减排量按不超过 {pct}% 的比例抵消清缴义务，{closer}",
            "{subject}引入了价格上下限与市场稳定储备，{closer}",
            "{subject}明确自 {year} 年起逐年提高配额有偿分配比例，{closer}",
        ),
        "mrv": (
            "{subject}要求对捕集、运输与封存全链条实施连续计量，{closer}",
            "{subject}引入了强制性的风险缓冲池与 {n} 年动态计入期，{closer}",
            "{subject}规定封存场地关闭后须持续监测不少于 {n} 年，{closer}",
            "{subject}要求核查机构每年出具第三方核查报告，且计量不确定度不得超过 {pct}%，{closer}",
        ),
        "statutory": (
            "{subject}由{authority}以部门规章形式发布，具有明确的强制执行力，{closer}",
            "作为{place}首部专门针对地质封存的立法，{subject}设定了行政许可与罚则，{closer}",
            "{subject}属于规范性文件，缺乏上位法的明确授权，{closer}",
            "{subject}与现行环境影响评价制度紧密衔接，{closer}",
        ),
        "strategic": (
            "{subject}将 CCUS 定位为实现 {target_year} 年碳中和目标的兜底技术，{closer}",
            "{subject}战略性地支持了技术性碳移除（DAC+CCS）的商业化，{closer}",
            "{subject}提出建设 {n} 个百万吨级封存集群，{closer}",
        ),
        "incentive": (
            "{subject}对每吨永久封存的二氧化碳给予最高 {price} 的补贴，{closer}",
            "{subject}提供为期 {n} 年的税收抵免，{closer}",
            "{subject}设立专项资金优先支持首批示范项目，{closer}",
        ),
    },
    subjects=("正式立法", "该办法", "本方案", "该政策", "新规", "实施细则"),
    closers=(
        "代表了该领域的最高标准。",
        "为项目投资提供了极其稳健的长期收益预期。",
        "但执行细则仍有待配套文件明确。",
        "显著降低了项目的合规不确定性。",
        "是区域减排体系的关键支点。",
        "但对中小排放企业的适用性有限。",
        "与国际主流核算框架保持一致。",
    ),
    impact={
        "economic": (
            "预计可使碳捕集平准化成本下降约 {pct}%，并为储备中的 {n} 个项目撬动社会资本，{closer}",
            "通过‘相应调整’机制消除了双重计算风险，使封存量成为可融资的长期资产，{closer}",
            "将合规成本集中于大型排放源，同时为贸易暴露行业提供过渡保护，{closer}",
        ),
        "technical": (
            "强制要求执行基于风险的储层稳定性评估与长效监测，确立了地质封存项目‘逆转风险’的计价基准，{closer}",
            "统一了二氧化碳物流纯度指标，使管道与船运基础设施得以共享，{closer}",
            "规范了捕集-运输-封存各交接点的计量方法，{closer}",
        ),
        "environmental": (
            "预计到 {target_year} 年实现年封存二氧化碳 {n} 百万吨，{closer}",
            "作为减排诚信度的‘守门人’，确保每一吨封存量只被计算一次，{closer}",
            "要求运营者在场地移交前承担泄漏责任，{closer}",
        ),
    },
    mechanisms={
        "Market": ("配额有偿分配与 CCER 抵消 (Offset)", "碳排放权交易 (ETS) 与 价格稳定储备"),
        "Regulation": ("封存许可证制度 (Storage Permit) 与 场地监测计划", "强制性排放绩效标准 (EPS) 与 阶梯罚则"),
        "Incentive": (
            "税收抵免 (Tax Credit) 与 加速折旧",
            "碳差价合约 (CCfD) 与 长期购买协议",
            "专项资金补贴与 绿色信贷贴息",
        ),
        "Standard": ("国家推荐性标准 (GB/T) 与 第三方认证", "方法学备案与 核证减排量签发"),
        "Strategy": ("目标分解与 年度考核", "示范项目清单与 部门协调机制"),
    },
    funding=(
        "中央财政专项资金（约 {n} 亿{currency}）",
        "地方财政配套与社会资本（预估 {n} 亿{currency}规模）",
        "碳市场配额拍卖收入（年均约 {n} 亿{currency}）",
        "未明确（以项目申报为准）",
    ),
    tags=(
        "CCUS",
        "碳市场",
        "地质封存",
        "碳移除",
        "税收抵免",
        "氢能",
        "甲烷",
        "MRV",
        "双碳",
        "跨境信用",
        "COP29",
        "试点示范",
    ),
    aims=(
        "推动碳捕集利用与封存技术的规模化部署",
        "建立统一规范的碳排放权交易市场",
        "明确二氧化碳地质封存的准入与监管要求",
        "以财政激励撬动社会资本投入低碳技术",
        "完善温室气体排放的监测、报告与核查体系",
        "加快工业领域深度脱碳",
    ),
    goals=(
        "到 {target_year} 年形成年封存能力 {n} 百万吨",
        "配额有偿分配比例不低于 {pct}%",
        "封存场地关闭后监测期不少于 {n} 年",
        "对每吨封存二氧化碳给予 {price} 的激励",
        "建立覆盖全链条的第三方核查制度",
    ),
    details=(
        "对于 CCS 项目，该政策规定了长达 **{n} 年** 的初始计入期（可续展两次），"
        "并强制要求执行‘相应调整’以彻底消除双重计算。",
        "运营者须在注入前提交**场地特征评价报告**与风险管理计划，并按年度报送监测数据。",
        "文件同时设立了**专项资金**，优先支持跨行业的 CCUS 产业集群。",
        "主管部门将每 {n} 年评估一次实施效果，并据此调整**配额总量**与抵消比例。",
        "该机制的核心是确立了严苛的‘逆转标准’，通过建立**碳汇缓冲池**来对冲泄漏等不可抗力导致的失效风险。",
    ),
    outlooks=(
        "这一全国统一的制度安排将极大地促进跨区域封存枢纽的商业化，为高排放行业的低碳转型提供了制度保障。",
        "这一区域性框架为低碳氢与 CCUS 耦合项目提供了可复制的经验。",
        "这一全球统一的市场准则将为‘全球南方’国家的低碳基础设施通过国际资本市场融资提供制度保障。",
    ),
    progress=(
        "截至 {year} 年底，已有 {n} 个项目完成备案，其中 {k} 个进入注入阶段。",
        "配套的技术规范仍在征求意见，预计 {target_year} 年前全面实施。",
    ),
    headings=("## 政策概览", "## 关键条款", "## 实施进展", "## 参考来源"),
    opening="{doc}由{authority}于 {year} 年 {month} 月发布，旨在{aim}。文件明确提出**{goal}**，{closer}",
    global_mechanism="主权间碳信用转移机制 (A6.4ERs) 与 全球缓冲池 (Buffer Pool)",
    global_funding="基于全球主权买方的市场化融资（预估涉及千亿美金级资产流动）",
    provision="- **{label}**（{citation}）",
    phase_label="阶段 {k}: {label}",
)

EN = Phrases(
    labels={
        "market": (
            "Carbon price signal",
            "Auctioned allowances",
            "Offset eligibility",
            "Credit fungibility",
            "Price floor and ceiling",
            "Compliance demand",
        ),
        "mrv": (
            "Full-chain metering",
            "Third-party verification",
            "Leakage monitoring plan",
            "Reversal risk buffer",
            "Continuous emissions monitoring",
            "Site closure monitoring",
        ),
        "statutory": (
            "Primary legislation",
            "Statutory instrument",
            "Binding directive",
            "Guidance only",
            "Enforceable permit conditions",
            "Treaty obligation",
        ),
        "strategic": (
            "Net zero anchor",
            "Cluster sequencing",
            "Industrial competitiveness",
            "Export storage hub",
            "Energy security",
            "Hydrogen pathway",
        ),
        "incentive": (
            "Tax credit",
            "Capital grant",
            "Contract for difference",
            "Loan guarantee",
            "Revenue support",
            "Procurement commitment",
        ),
    },
    evidence={
        "market": (
            "{subject} sets allocation rules covering {n} large emitters and ties verified storage to tradable units, "
            "{closer}",
            "{subject} lets credits from CCS projects cover up to {pct}% of a compliance obligation, {closer}",
            "{subject} introduces a price floor and a market stability reserve for allowances, {closer}",
            "{subject} raises the auctioned share of allowances every year from {year}, {closer}",
        ),
        "mrv": (
            "{subject} requires continuous metering across capture, transport and injection, {closer}",
            "{subject} mandates a risk buffer and a {n}-year post-closure monitoring period, {closer}",
            "{subject} requires an accredited third party to verify stored volumes every year, {closer}",
            "{subject} caps measurement uncertainty at {pct}% for every custody-transfer point, {closer}",
        ),
        "statutory": (
            "{subject} was issued by the {authority} as binding secondary legislation, {closer}",
            "As the first law in {place} dedicated to geological storage, it sets permit conditions and penalties, "
            "{closer}",
            "{subject} is guidance without a statutory basis, {closer}",
            "{subject} amends the existing environmental permitting regime rather than creating a new one, {closer}",
        ),
        "strategic": (
            "{subject} positions CCS as a backstop for reaching net zero by {target_year}, {closer}",
            "{subject} supports the commercialisation of engineered carbon removal (DAC+CCS), {closer}",
            "{subject} targets {n} storage clusters of at least one million tonnes a year, {closer}",
        ),
        "incentive": (
            "{subject} pays up to {price} per tonne of CO2 permanently stored, {closer}",
            "{subject} grants a tax credit for {n} years after a facility enters service, {closer}",
            "{subject} sets up a dedicated fund for first-of-a-kind projects, {closer}",
        ),
    },
    subjects=("The regulation", "The act", "The programme", "The framework", "The decision", "The rulebook"),
    closers=(
        "setting the strictest standard in the field so far.",
        "giving investors a stable long-term revenue outlook.",
        "although the implementing rules are still pending.",
        "which markedly lowers compliance uncertainty for operators.",
        "making it a pivot of the regional abatement framework.",
        "though its reach beyond large emitters is limited.",
        "in line with the main international accounting frameworks.",
    ),
    impact={
        "economic": (
            "Cuts the levelised cost of capture by an estimated {pct}% and unlocks private finance for {n} projects in "
            "the pipeline, {closer}",
            "Turns stored tonnes into a bankable revenue stream and lowers the financing premium demanded by lenders, "
            "{closer}",
            "Shifts compliance costs towards the largest emitters while protecting trade-exposed industries, {closer}",
        ),
        "technical": (
            "Requires risk-based reservoir characterisation and long-term monitoring before injection starts, {closer}",
            "Sets common CO2 stream purity specifications so that pipelines and ships can share infrastructure, "
            "{closer}",
            "Standardises measurement at custody-transfer points along the capture-transport-storage chain, {closer}",
        ),
        "environmental": (
            "Expected to store {n} million tonnes of CO2 a year by {target_year}, {closer}",
            "Guards against double counting so that each stored tonne is claimed only once, {closer}",
            "Keeps liability for leakage with the operator until the site is transferred, {closer}",
        ),
    },
    mechanisms={
        "Market": (
            "Auctioned allowances with offset eligibility for stored CO2",
            "Emissions trading with a market stability reserve",
        ),
        "Regulation": ("Storage permits with mandatory site monitoring plans", "Emissions performance standard"),
        "Incentive": (
            "Production tax credit per tonne stored, with direct pay",
            "Carbon contracts for difference backed by a 15-year offtake",
            "Capital grants with concessional loans",
        ),
        "Standard": ("Consensus standard with third-party certification", "Approved methodology and credit issuance"),
        "Strategy": ("Sector targets with annual progress reviews", "Project pipeline and cross-government taskforce"),
    },
    funding=(
        "Approx. {currency}{n} billion over {k} years",
        "Funded from auction revenues (about {currency}{n} billion a year)",
        "Uncapped tax expenditure, estimated at {currency}{n} billion to {target_year}",
        "Blended public-private finance, {currency}{n} billion committed",
        "Not specified",
    ),
    tags=(
        "CCS",
        "CCUS",
        "Carbon Markets",
        "Storage",
        "CDR",
        "Tax Credit",
        "Hydrogen",
        "Methane",
        "MRV",
        "Net Zero",
        "Cross-border",
        "Permitting",
    ),
    aims=(
        "scale up the deployment of carbon capture, utilisation and storage",
        "establish a single, well-regulated carbon market",
        "set out who may store CO2 underground and on what terms",
        "use public funding to crowd private capital into low-carbon technology",
        "tighten monitoring, reporting and verification of greenhouse gas emissions",
        "speed up the deep decarbonisation of heavy industry",
    ),
    goals=(
        "{n} million tonnes of annual storage capacity by {target_year}",
        "at least {pct}% of allowances auctioned",
        "post-closure monitoring for no fewer than {n} years",
        "support of {price} per tonne stored",
        "third-party verification across the whole chain",
    ),
    details=(
        "For CCS projects it sets an initial crediting period of **{n} years** and requires corresponding "
        "adjustments to rule out double counting.",
        "Operators must file a **site characterisation report** and a risk management plan before injection and "
        "report monitoring data every year.",
        "It also creates a **dedicated fund** that gives priority to multi-sector CCUS clusters.",
        "The authority will review the scheme every {n} years and adjust the **allowance cap** and offset limits "
        "accordingly.",
        "At its core is a strict **reversal standard**, backed by a buffer pool that absorbs losses from leakage or "
        "force majeure.",
    ),
    outlooks=(
        "This national framework should speed up the commercialisation of cross-border storage hubs and give heavy "
        "industry the legal certainty it needs.",
        "This regional framework offers a template for coupling low-carbon hydrogen with CCUS.",
        "This globally consistent rulebook gives international investors the certainty to finance low-carbon "
        "infrastructure in the Global South.",
    ),
    progress=(
        "By the end of {year}, {n} projects had registered and {k} had started injection.",
        "Supporting technical rules are still under consultation and should apply in full before {target_year}.",
    ),
    headings=("## Overview", "## Key Provisions", "## Implementation", "## Sources"),
    opening="The {doc} was published by the {authority} in {month} {year} to {aim}. It commits to **{goal}**, {closer}",
    global_mechanism="Corresponding adjustments under Article 6 with a global buffer pool",
    global_funding="Market finance from sovereign buyers (hundreds of billions of dollars in assets)",
    provision="- **{label}** ({citation})",
    phase_label="Phase {k}: {label}",
)
PHRASES: dict[Lang, Phrases] = {"zh": ZH, "en": EN}


@dataclass
class SampleRun:
    """The ids one run has issued so far: keeps ids unique and lets later records supersede earlier ones."""

    ids: set[str] = field(default_factory=set)
    lineages: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def claim(self, rng: random.Random, lineage: str, year: int) -> str:
        """A new id for `lineage` in `year`: `<lineage>-<year>`, else with a qualifier (`-amendment`), else `-2`..."""
        base = f"{lineage}-{year}"
        candidates = [base, *(f"{base}-{q}" for q in rng.sample(_QUALIFIERS, len(_QUALIFIERS)))]
        candidate = next((c for c in candidates if c not in self.ids), None)
        n = 2
        while candidate is None or candidate in self.ids:
            candidate, n = f"{base}-{n}", n + 1
        self.ids.add(candidate)
        self.lineages.setdefault(lineage, []).append((year, candidate))
        return candidate

    def earlier(self, lineage: str, year: int) -> list[str]:
        """Ids already issued in `lineage` for years before `year`, newest first."""
        return [pid for y, pid in sorted(self.lineages.get(lineage, ()), reverse=True) if y < year]


@dataclass(frozen=True)
class _Context:
    """What the text of one record is written about."""

    rng: random.Random
    jurisdiction: Jurisdiction
    phrases: Phrases
    place: str
    authority: str
    doc: str
    year: int


def _zh_numeral(n: int) -> str:
    """1..99 as Chinese numerals, as article numbers are written (第二十三条)."""
    tens, units = divmod(n, 10)
    if not tens:
        return _ZH_DIGITS[units]
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[units] if units else "")


def _money(ctx: _Context, amount: int) -> str:
    currency = ctx.jurisdiction.currency
    return f"{amount} {currency}" if ctx.phrases is ZH else f"{currency}{amount}"


def _fill(ctx: _Context, template: str, **extra: str) -> str:
    """`template` filled in with the record's facts and freshly drawn numbers and phrases."""
    rng = ctx.rng
    n = rng.randint(2, 30)
    return template.format(
        place=ctx.place,
        authority=ctx.authority,
        doc=ctx.doc,
        year=ctx.year,
        n=n,
        k=rng.randint(1, 4),
        big=rng.randint(100, 4999),
        pct=rng.choice((5, 10, 15, 20, 25, 30)),
        price=_money(ctx, rng.choice((30, 50, 85, 100, 130, 180))),
        currency=ctx.jurisdiction.currency,
        target_year=rng.choice((2030, 2035, 2040, 2050, 2060)),
        letter=rng.choice("abcdefh"),
        cn_num=_zh_numeral(n),
        subject=rng.choice(ctx.phrases.subjects),
        closer=rng.choice(ctx.phrases.closers),
        **extra,
    )


def _pub_date(rng: random.Random, year: int) -> datetime.date:
    first = datetime.date(year, 1, 1)
    last = min(datetime.date(year, 12, 31), COLLECTION_DATE)
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _audit_date(rng: random.Random, published: datetime.date) -> datetime.date:
    first = max(published, _EARLIEST_AUDIT)
    return first + datetime.timedelta(days=rng.randint(0, (COLLECTION_DATE - first).days))


def _status(rng: random.Random, year: int) -> str:
    weights = next(w for until, w in _STATUS_WEIGHTS_BY_ERA if year <= until)
    return rng.choices(_STATUSES, weights)[0]


def _facilities(rng: random.Random) -> list[str]:
    """0-1,400 facility ids, sorted as strings like the collection's files ('1', '10', '100', '1000', ...)."""
    draw = rng.random()
    if draw < 0.04:
        return []
    count = rng.randint(1, 60) if draw < 0.1 else round(rng.triangular(400, MAX_FACILITIES, 1300))
    return sorted(rng.sample(_FACILITY_IDS, count))


# A policy scores highest on the dimension its category is about.
_LEANS = {
    ("market", "Market"),
    ("statutory", "Regulation"),
    ("incentive", "Incentive"),
    ("mrv", "Standard"),
    ("strategic", "Strategy"),
}


def _analysis(ctx: _Context, category: str) -> Data:
    rng = ctx.rng
    strength = rng.randint(35, 95)
    analysis: Data = {}
    for dimension in ANALYSIS_DIMENSIONS:
        lean = 12 if (dimension, category) in _LEANS else 0
        analysis[dimension] = {
            "score": max(0, min(100, strength + lean + rng.randint(-25, 20))),
            "label": rng.choice(ctx.phrases.labels[dimension]),
            "evidence": _fill(ctx, rng.choice(ctx.phrases.evidence[dimension])),
            "citation": _fill(ctx, rng.choice(ctx.jurisdiction.citations)),
        }
    return analysis


def _supersedes(rng: random.Random, run: SampleRun, lineage: str, year: int, code: str) -> list[str]:
    predecessors = run.earlier(lineage, year)
    draw = rng.random()
    if predecessors and draw < 0.5:
        return predecessors[: rng.choice((1, 1, 1, 2))]
    if draw < 0.12:
        return [rng.choice((*_UNKNOWN_SUPERSEDED, f"{code}-interim-measures-{year - rng.randint(3, 9)}"))]
    return []


def _description(ctx: _Context, month: int) -> str:
    rng, phrases = ctx.rng, ctx.phrases
    month_name = str(month) if phrases is ZH else _MONTHS_EN[month - 1]
    opening = _fill(
        ctx,
        phrases.opening,
        aim=rng.choice(phrases.aims),
        goal=_fill(ctx, rng.choice(phrases.goals)),
        month=month_name,
    )
    details = " ".join(_fill(ctx, d) for d in rng.sample(phrases.details, 2))
    if phrases is ZH:
        details = details.replace("。 ", "。")
    paragraphs = [phrases.headings[0], opening, details]
    if rng.random() < 0.5:
        paragraphs.append(rng.choice(phrases.outlooks))
    return "\n\n".join(paragraphs)


def _body(ctx: _Context, description: str, analysis: Data, source: str, url: str) -> str:
    """The Markdown after the frontmatter: the description again, as in the collection, sometimes with more."""
    rng, phrases = ctx.rng, ctx.phrases
    sections = [description]
    if rng.random() < 0.5:
        provisions = [
            phrases.provision.format(label=part["label"], citation=part["citation"])
            for part in (analysis[d] for d in rng.sample(ANALYSIS_DIMENSIONS, 3))
        ]
        sections += [phrases.headings[1], "\n".join(provisions)]
        if rng.random() < 0.5:
            sections += [phrases.headings[2], _fill(ctx, rng.choice(phrases.progress))]
        sections += [phrases.headings[3], f"- [{source}]({url})"]
    return "\n" + "\n\n".join(sections) + "\n"


def _url(rng: random.Random, host: str, year: int) -> str:
    number = rng.randint(100, 99999)
    if host.endswith(".cn"):
        return f"https://{host}/xxgk/{year}{rng.randint(1, 12):02d}/t{year}0{number % 1000:03d}_{number}.html"
    shape = rng.choice(("policy/{y}/{n}.html", "documents/{y}-{n}", "eli/{y}/{n}/oj", "publications/{y}/{n}"))
    return f"https://{host}/" + shape.format(y=year, n=number)


def sample_record(rng: random.Random, index: int, *, run: SampleRun | None = None) -> tuple[Data, str]:
    """One record: its frontmatter data, keys in the collection's order, and its Markdown body.

    `run` keeps ids unique across calls and lets a record supersede earlier ones; without it the record stands
    alone. `index` (the record's position in its run) decides which records carry unknown keys or strings that
    need quoting; everything else comes from `rng`.
    """
    run = run if run is not None else SampleRun()
    jurisdiction = rng.choices(JURISDICTIONS, _JURISDICTION_WEIGHTS)[0]
    phrases = PHRASES[jurisdiction.lang]
    topic = rng.choice(_INTERNATIONAL_TOPICS if jurisdiction.international else _NATIONAL_TOPICS)
    region = rng.choice(jurisdiction.regions) if jurisdiction.regions and rng.random() < 0.45 else None
    year = rng.choices(_YEARS, _YEAR_WEIGHTS)[0]

    if region is None:
        authority, source, host = rng.choice(jurisdiction.authorities)
        place, scope = jurisdiction.place, jurisdiction.scope
        lineage = f"{jurisdiction.code}-{topic.slug}"
    else:
        authority, source, host = region.source, region.source, region.host
        place, scope = region.name, jurisdiction.region_scope
        lineage = f"{jurisdiction.code}-{region.slug}-{topic.slug}"
    title = (topic.zh if phrases is ZH else topic.en).format(place=place)
    if phrases is EN and rng.random() < 0.15:
        title += f": {rng.choice(('Consultation Outcome', 'Phase II', 'Implementing Guidance', 'Final Rule'))}"
    doc = title if phrases is EN or title.startswith(("《", "ISO")) else f"《{title}》"
    ctx = _Context(rng, jurisdiction, phrases, place, authority, doc, year)

    published = _pub_date(rng, year)
    global_market = jurisdiction.international and topic.category == "Market"
    supersedes = _supersedes(rng, run, lineage, year, jurisdiction.code)
    policy_id = run.claim(rng, lineage, year)
    analysis = _analysis(ctx, topic.category)
    url = _url(rng, host, year)
    description = _description(ctx, published.month)
    data: Data = {
        "id": policy_id,
        "country": jurisdiction.country,
        "year": year,
        "status": _status(rng, year),
        "category": topic.category,
        "pubDate": published.isoformat(),
        "reviewStatus": "verified" if rng.random() < 0.12 else "pending",
        "legalWeight": (
            "International Agreement"
            if jurisdiction.international and rng.random() < 0.5
            else rng.choice(_LEGAL_WEIGHTS[topic.category])
        ),
        "sectors": [] if rng.random() < 0.3 else rng.sample(_SECTORS, rng.randint(1, 4)),
        "analysis": analysis,
        "impactAnalysis": {aspect: _fill(ctx, rng.choice(phrases.impact[aspect])) for aspect in phrases.impact},
        "evolution": {
            "supersedes": supersedes,
            "clusters": rng.sample(jurisdiction.clusters, rng.randint(1, min(3, len(jurisdiction.clusters)))),
        },
        "implementationDetails": {
            "authority": authority,
            "mechanism": (
                phrases.global_mechanism if global_market else rng.choice(phrases.mechanisms[topic.category])
            ),
            "fundingScale": phrases.global_funding if global_market else _fill(ctx, rng.choice(phrases.funding)),
        },
        "relatedFacilities": _facilities(rng),
        "url": url,
        "source": source,
        "provenance": {
            "author": AUTHOR,
            "reviewer": HUMAN_AUDIT_PENDING,
            "lastAuditDate": _audit_date(rng, published).isoformat(),
        },
        "title": title,
        "scope": scope,
        "tags": rng.sample(phrases.tags, rng.randint(2, 5)),
        "description": description,
    }
    if index % 20 == 7:
        for quirk in rng.sample(_QUOTING_QUIRKS, rng.randint(1, 2)):
            quirk(rng, data)
    if index % 10 == 4:
        for addition in rng.sample(_UNKNOWN_KEYS, rng.randint(1, 2)):
            data = addition(rng, data)
    return data, _body(ctx, data["description"], data["analysis"], source, url)


def _insert_after(mapping: Data, after: str, key: str, value: Any) -> Data:
    """A copy of `mapping` with `key` placed right after `after`, where a person editing the file would put it."""
    items = list(mapping.items())
    position = next(i for i, (k, _) in enumerate(items) if k == after) + 1
    return dict([*items[:position], (key, value), *items[position:]])


def _tag_yes(rng: random.Random, data: Data) -> None:
    data["tags"].append(rng.choice(("yes", "no", "on", "null", "2030")))


def _label_list_marker(rng: random.Random, data: Data) -> None:
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    part["label"] = f"- {part['label']}"


def _label_colon(rng: random.Random, data: Data) -> None:
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    template = ZH.phase_label if data["country"] in _ZH_COUNTRIES else EN.phase_label
    part["label"] = template.format(k=rng.randint(1, 4), label=part["label"])


def _citation_date(rng: random.Random, data: Data) -> None:
    data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]["citation"] = data["pubDate"]


def _emoji(rng: random.Random, data: Data) -> None:
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    part["evidence"] += rng.choice((" 🌍", " ✅", " 🚀"))
    data["tags"].append("🌱 Net Zero")


def _hash_and_star(rng: random.Random, data: Data) -> None:
    data["tags"].insert(0, "#NetZero")
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    part["citation"] = f"*{part['citation']}* #{rng.randint(1, 9)}"


def _quoted_and_numeric(rng: random.Random, data: Data) -> None:
    data["analysis"]["strategic"]["label"] = f'"{data["analysis"]["strategic"]["label"]}" 2.0'
    data["implementationDetails"]["fundingScale"] = str(rng.randint(1, 9) * 10**9)


def _two_line_impact(rng: random.Random, data: Data) -> None:
    impact = data["impactAnalysis"]
    impact["technical"] = f"{impact['technical']}\n{impact['environmental']}"


_ZH_COUNTRIES = {j.country for j in JURISDICTIONS if j.lang == "zh"}
_QUOTING_QUIRKS: tuple[Callable[[random.Random, Data], None], ...] = (
    _tag_yes,
    _label_list_marker,
    _label_colon,
    _citation_date,
    _emoji,
    _hash_and_star,
    _quoted_and_numeric,
    _two_line_impact,
)


def _series(rng: random.Random, data: Data) -> Data:
    series = rng.choice(("CCUS Policy Digest", "中国 CCUS 政策汇编", "North Sea Storage Series"))
    return _insert_after(data, "category", "series", series)


def _confidence(rng: random.Random, data: Data) -> Data:
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    part["confidence"] = round(rng.uniform(0.55, 0.95), 2)
    return data


def _model(rng: random.Random, data: Data) -> Data:
    model = rng.choice(("gemini-1.5-pro", "gemini-2.0-flash", "gemini-2.5-pro"))
    data["provenance"] = _insert_after(data["provenance"], "author", "model", model)
    return data


def _deadline(rng: random.Random, data: Data) -> Data:
    data["implementationDetails"]["deadline"] = f"{data['year'] + rng.randint(2, 10)}-12-31"
    return data


def _aliases(rng: random.Random, data: Data) -> Data:
    aliases = [data["id"].rsplit("-", 1)[0], f"{data['id']}-draft"]
    return _insert_after(data, "tags", "aliases", aliases[: rng.randint(1, 2)])


_UNKNOWN_KEYS: tuple[Callable[[random.Random, Data], Data], ...] = (_series, _confidence, _model, _deadline, _aliases)


def iter_sample_records(count: int, seed: int) -> Iterator[tuple[Data, str]]:
    """The `count` records of the run fixed by `seed`, one at a time."""
    rng = random.Random(seed)
    run = SampleRun()
    for index in range(count):
        yield sample_record(rng, index, run=run)


class SampleConflict(Exception):
    """Files of the sample already exist with other contents, and overwriting them was not asked for."""

    def __init__(self, out_dir: Path, names: list[str]) -> None:
        self.out_dir = out_dir
        self.names = names
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        super().__init__(f"{len(names)} file(s) in {out_dir} already exist with different contents ({shown}).")


def write_sample_collection(
    out_dir: Path,
    count: int,
    seed: int,
    *,
    force: bool = False,
    progress: Callable[[Iterable[Any]], Iterator[Any]] | None = None,
) -> list[Path]:
    """Write the run's `count` records into `out_dir` as `<id>.md`, returning their paths in run order.

    A file that already holds exactly the record's bytes is left alone, so writing the same seed twice is a no-op.
    If any other file would be overwritten, `SampleConflict` is raised before anything is written, unless `force`.
    Files in `out_dir` that are not part of the sample are never touched.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    existing = {entry.name for entry in os.scandir(out_dir) if entry.name.endswith(".md")}
    unchanged: set[str] = set()
    if existing and not force:
        conflicts = []
        for name, text in _colliding(count, seed, existing):
            if _read(out_dir / name) == text:
                unchanged.add(name)
            else:
                conflicts.append(name)
        if conflicts:
            raise SampleConflict(out_dir, conflicts)
    paths = []
    records = iter_sample_records(count, seed)
    for data, body in progress(records) if progress else records:
        path = out_dir / f"{data['id']}.md"
        if path.name not in unchanged:
            text = frontmatter.render(None, data, body).encode()
            if path.name not in existing or _read(path) != text:
                _write_atomically(path, text)
        paths.append(path)
    return paths


def _colliding(count: int, seed: int, names: set[str]) -> Iterator[tuple[str, bytes]]:
    # Rendering is the expensive part: generate every record but render only those whose file already exists.
    for data, body in iter_sample_records(count, seed):
        name = f"{data['id']}.md"
        if name in names:
            yield name, frontmatter.render(None, data, body).encode()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, text: bytes) -> None:
    # No fsync: sample files can always be generated again, and syncing 20,000 of them would dominate the run.
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as temp:
            temp.write(text)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
