"""The `voting` command group."""

from __future__ import annotations

from typing import Any

from voting.services import auth


def test_help_lists_every_command(runner: Any) -> None:
    from voting.cli import main

    output = runner.invoke(main, ["--help"]).output
    for command in ("serve", "demo", "api-token", "set-password"):
        assert command in output


def test_api_token_is_alone_on_the_last_line_and_works(runner: Any, app: Any) -> None:
    from voting.cli import main

    result = runner.invoke(main, ["api-token"])
    token = result.output.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    with app.app_context():
        assert auth.api_token_valid(token)
        assert not auth.api_token_valid(token + "x")


def test_set_password_asks_twice_and_refuses_short_ones(runner: Any, app: Any) -> None:
    from voting.cli import main

    short = runner.invoke(main, ["set-password"], input="short\nshort\n")
    assert short.exit_code != 0
    assert "at least 10 characters" in short.output
    done = runner.invoke(main, ["set-password"], input="a long enough secret\na long enough secret\n")
    assert done.exit_code == 0, done.output
    with app.app_context():
        assert auth.check_password("a long enough secret")
        assert not auth.check_password("something else entirely")


def test_demo_builds_the_annex_2_event(tmp_path: Any) -> None:
    from voting.demo import build_demo

    info = build_demo(
        tmp_path / "demo.sqlite3", "http://127.0.0.1:5000", "demo-password-123", with_votes=True
    )
    assert "Facilitator password: demo-password-123" in info
    assert info.count("/j/") == 3
    from voting import create_app
    from voting.extensions import db
    from voting.models import Event
    from voting.services.snapshots import event_matrix

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "SECRET_KEY": "x"})
    with app.app_context():
        matrix, _positions, _votes = event_matrix(db.session.get(Event, 1))
        assert matrix.row_labels("J")[:8] == ["NA", "2", "NA", "3", "4", "1", "", "NA"]
        assert matrix.row_labels("A")[:5] == ["2", "NA", "NA", "NA", "4"]
        db.engine.dispose()
    app.extensions["voting_publisher"].stop()
