"""The load test's generator for a few seconds, in the suite: no errors, no lost edits, counts reconcile.

``benchmarks/load_test.py`` runs it for two minutes with 50 clients against gunicorn on
PostgreSQL (by hand; figures in RELIABILITY.md). Here: 8 clients for 4 seconds against the
app served on loopback, on SQLite and on PostgreSQL, editing two entries so that clients
collide often.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from sqlalchemy.orm import Session

from termbase.services import concepts as concept_service
from termbase.services.concepts import TermInput

LOAD_TEST = Path(__file__).resolve().parents[2] / "benchmarks" / "load_test.py"


def _load_test_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("termbase_load_test", LOAD_TEST)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_a_short_mixed_load_loses_nothing(live: str, session: Session) -> None:
    load = _load_test_module()
    for zh, en in [
        ("网络主权", "cyber sovereignty"),
        ("网络安全", "cybersecurity"),
        ("数字经济", "digital economy"),
    ]:
        concept_service.create_concept(
            session,
            [TermInput(language="zh-Hans", text=zh), TermInput(language="en", text=en)],
            actor="t",
            status="approved",
        )
    session.commit()
    plan = load.prepare(session, targets=2, editors=4)
    outcome = load.run_load(live, plan, clients=8, duration=4.0, timeout=60.0)
    checked = load.reconcile(session, plan, outcome)
    report = load.summary(outcome, checked)
    assert outcome.errors == [], outcome.errors[:10]
    assert checked.problems == []
    assert checked.lost == 0
    assert report["edits_saved"] > 0
    assert all(report["ops"][op]["requests"] > 0 for op in ("api_search", "web_search", "recognize", "edit"))
    assert set(report["ops"]["edit"]["statuses"]) <= {"200", "409"}
