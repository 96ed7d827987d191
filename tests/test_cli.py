"""The termbase command: clear one-line errors, users and tokens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from termbase.models import ApiToken, Citation, Term, User
from termbase.services.concepts import TermInput, create_concept


def test_users_create_with_password_from_environment(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(
        args=["users", "create", "alice", "--role", "editor"], env={"TERMBASE_PASSWORD": "s3cret-pass"}
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.username == "alice"))
    assert user is not None
    assert user.role == "editor"
    assert user.password_hash != "s3cret-pass"


def test_duplicate_user_is_one_clear_line(runner: FlaskCliRunner) -> None:
    env = {"TERMBASE_PASSWORD": "s3cret-pass"}
    assert runner.invoke(args=["users", "create", "bob"], env=env).exit_code == 0
    result = runner.invoke(args=["users", "create", "bob"], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: user 'bob' already exists"


def test_token_is_stored_hashed(runner: FlaskCliRunner, session: Session) -> None:
    runner.invoke(args=["users", "create", "carol"], env={"TERMBASE_PASSWORD": "s3cret-pass"})
    result = runner.invoke(args=["users", "token", "carol"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    stored = session.scalars(select(ApiToken)).one()
    assert token.startswith("tb_")
    assert stored.token_hash != token
    assert token not in stored.token_hash


def test_demo_user_created_once(runner: FlaskCliRunner, session: Session) -> None:
    first = runner.invoke(args=["users", "demo"])
    second = runner.invoke(args=["users", "demo"])
    assert "demo editor created" in first.output
    assert "created" not in second.output
    assert session.scalars(select(User)).all()[0].role == "editor"


def test_command_error_has_no_traceback(tmp_path: Path) -> None:
    """A real process: a database that cannot be opened is one line and exit 1."""
    env = {
        "TERMBASE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        "TERMBASE_SECRET_KEY": "x",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "termbase.cli", "users", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: database error:")


def test_cite_catches_up_on_entries_without_citations(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    concept = create_concept(
        session,
        [TermInput(language="zh-Hans", text="琥珀航线"), TermInput(language="en", text="amber route")],
        actor="test",
    )
    create_concept(session, [TermInput(language="en", text="nowhere cited")], actor="test")
    session.commit()
    source = tmp_path / "amber.txt"
    source.write_text("开辟琥珀航线 | opening the amber routes\n", encoding="utf-8")
    assert runner.invoke(args=["ingest", str(source)]).exit_code == 0
    result = runner.invoke(args=["cite"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 entries without citations; cited 1 of them in 1 aligned segment"
    session.expire_all()
    cited = session.scalars(
        select(Term.text).join(Citation, Citation.term_id == Term.id).where(Term.concept_id == concept.id)
    ).all()
    assert sorted(cited) == ["amber route", "琥珀航线"]
