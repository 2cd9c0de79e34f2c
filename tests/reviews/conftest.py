"""Fixtures for the review workflow: one user per role and a record shaped like the seed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from policies import editing
from policies.models import Policy, ReviewState
from reviews import workflow
from reviews.models import ReviewEvent
from tests.conftest import make_user

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
SEED_DIMENSIONS = ["market", "mrv", "statutory"]


def make_policy(*, user=None, reason: str = "Imported", **overrides: Any) -> Policy:
    """A pending record with the seed's kind of values (three of the five dimensions filled in)."""
    policy = Policy(**{**SEED_VALUES, **overrides})
    policy.save_as(user=user, reason=reason)
    return policy


def make_policy_needing_a_fix(*, user=None, **overrides: Any) -> Policy:
    """A pending record whose market score its file wrote as 85.5: kept as written, it needs fixing."""
    return make_policy(user=user, market_score=None, invalid="analysis.market.score: 85.5\n", **overrides)


def fix_market_score(policy: Policy, *, user, score: int = 85) -> list[str]:
    """Fix the score the way an editor does, through an edit of the record's frontmatter."""
    return editing.edit_policy(
        policy, user=user, expected_version=policy.version, changes={"analysis": {"market": {"score": score}}}
    )


def edit(policy: Policy, *, user, reason: str = "Edited", **changes: Any) -> Policy:
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.save_as(user=user, reason=reason)
    return policy


def approve_as_seen(policy: Policy, user):
    """Approve the version the reviewer has in front of them, confirming every dimension."""
    return workflow.approve(policy, user=user, expected_version=policy.version, verdicts=workflow.confirm_all(policy))


@dataclass(frozen=True)
class Snapshot:
    """What must not move when a request is refused."""

    state: str
    version: int
    history_rows: int
    events: int

    @classmethod
    def of(cls, policy: Policy) -> Snapshot:
        fresh = Policy.objects.get(pk=policy.pk)
        return cls(fresh.state, fresh.version, fresh.history.count(), ReviewEvent.objects.count())


@pytest.fixture
def editor(db):
    return make_user("editor", groups=("Editor",), first_name="Ada", last_name="Editor")


@pytest.fixture
def other_editor(db):
    return make_user("other_editor", groups=("Editor",))


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", groups=("Reviewer",), first_name="Rita", last_name="Reviewer")


@pytest.fixture
def other_reviewer(db):
    return make_user("other_reviewer", groups=("Reviewer",))


@pytest.fixture
def admin_member(db):
    return make_user("admin_member", groups=("Admin",))


@pytest.fixture
def staff(db):
    return make_user("staff")


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True)


@pytest.fixture
def policy(db, editor) -> Policy:
    return make_policy(user=editor)


def put_in_state(policy: Policy, state: str, *, reviewer, editor) -> Policy:
    """Walk a record created by `editor` through the workflow to `state`."""
    if state == ReviewState.PENDING:
        return policy
    if state == ReviewState.VERIFIED:
        approve_as_seen(policy, reviewer)
    elif state == ReviewState.CHANGES_REQUESTED:
        workflow.request_changes(policy, user=reviewer, comment="Cite the decision number.")
    elif state == ReviewState.REJECTED:
        workflow.reject(policy, user=reviewer, comment="Out of scope.")
    elif state == ReviewState.WITHDRAWN:
        approve_as_seen(policy, reviewer)
        workflow.withdraw(policy, user=reviewer, comment="Superseded by the 2025 rules.")
    policy.refresh_from_db()
    assert policy.state == state
    return policy
