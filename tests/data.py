"""Where the tests find their files, and what the seed record holds (the values `make_policy` starts from).

No Django here: the codec's tests, which run without it, read their paths from this module too.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "policies"
# The real record, as the example collection carries it (a copy of shared/seeds/).
SEED = EXAMPLES / "intl-paris-art-6-4-ccs.md"

SEED_VALUES: dict[str, Any] = {
    "policy_id": "intl-paris-art-6-4-ccs",
    "title": "《巴黎协定》第 6.4 条碳交易机制 (含 CCS/CDR 标准)",
    "country": "国际",
    "year": 2024,
    "status": "Active",
    "category": "Market",
    "pub_date": datetime.date(2024, 10, 1),
    "review_status": "verified",
    "legal_weight": "Administrative Regulation",
    "scope": "International",
    "tags": ["巴黎协定", "跨境信用", "COP29"],
    "url": "https://unfccc.int/process-and-meetings/the-paris-agreement/article-64-mechanism",
    "source": "UNFCCC",
    "market_score": 100,
    "market_label": "A6.4ERs 主权基准",
    "market_evidence": "正式立法确立了联合国监管下的全球碳资产标准，实现了物理减排量与国际货币化信用的深度绑定。",
    "market_citation": "Decision 18/CMA.1 & SBM Standards 2024",
    "mrv_score": 95,
    "mrv_label": "缓冲池与逆转监测",
    "mrv_evidence": "引入了强制性的风险缓冲池与 15 年动态计入期，代表了国际碳核算中对永久性风险管理的最高标准。",
    "mrv_citation": "SBM Removals Standards 2024",
    "statutory_score": 90,
    "statutory_label": "国际公约效力",
    "statutory_evidence": "作为巴黎协定各方必须遵守的履约规则，具有极高的国际技术法律权威性。",
    "statutory_citation": "COP29 Opening Plenary Decisions",
    "impact_economic": "通过‘相应调整’机制消除了双重计算风险。",
    "supersedes": ["clean-development-mechanism-legacy"],
    "clusters": ["UNFCCC Paris Agreement implementation", "International Carbon Markets"],
    "implementation_authority": "UNFCCC 第 6.4 条监管机构 (Supervisory Body)",
    "related_facilities": ["1", "10", "100", "1103-2"],
    "provenance_author": "Gemini Intelligence",
    "provenance_reviewer": "Human Audit Pending",
    "provenance_last_audit_date": datetime.date(2026, 2, 8),
    "description": "## 政策概览\n\n《巴黎协定》第 6.4 条旨在建立一个由联合国直接监管的全球碳减排机制（A6.4ERs）。",
    "body": "## 政策概览\n\n该机制的核心是确立了严苛的‘逆转标准（Reversal Standard）’，长达 **15 年** 的初始计入期。",
}
# The analysis dimensions the seed fills in (of the five).
SEED_DIMENSIONS = ["market", "mrv", "statutory"]
