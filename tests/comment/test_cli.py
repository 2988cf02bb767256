"""`python -m ops.comment`: the comment is written first, then the exit status says whether CI must fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ops.comment.__main__ import FAILED, OK, UNUSABLE, main
from ops.comment.render import MARKER
from tests.comment.streams import Stream, dev_new, prod_resized

REPO = Path(__file__).resolve().parents[2]


def save(tmp_path: Path, name: str, stream: Stream) -> Path:
    path = tmp_path / f"{name}.jsonl"
    path.write_text(stream.text())
    return path


def violating() -> Stream:
    stream = Stream("staging").policy("spending-cap", "mandatory", "Fits.\nover budget")
    return stream.diagnostic("error", "preview failed").summary("failed", {})


def test_every_preview_succeeded(tmp_path: Path) -> None:
    dev, prod = save(tmp_path, "dev", dev_new()), save(tmp_path, "prod", prod_resized())
    out = tmp_path / "comment.md"
    assert main(["--stack", f"dev={dev}", "--stack", f"prod={prod}", "--output", str(out)]) == OK
    comment = out.read_text()
    assert comment.startswith(MARKER + "\n")
    assert comment.index("### `dev`") < comment.index("### `prod`")  # in the order given


def test_a_mandatory_violation_fails_after_the_comment_is_written(tmp_path: Path) -> None:
    out = tmp_path / "comment.md"
    staging = save(tmp_path, "staging", violating())
    assert main(["--stack", f"staging={staging}", "--output", str(out)]) == FAILED
    assert "over budget" in out.read_text()


def test_a_preview_that_never_started_is_commented_with_its_stderr(tmp_path: Path) -> None:
    empty, log = tmp_path / "prod.jsonl", tmp_path / "prod.stderr"
    empty.write_text("")
    log.write_text("warning: something\nerror: getting stack configuration: incorrect passphrase\n")
    out = tmp_path / "comment.md"
    assert main(["--stack", f"prod={empty}", "--log", f"prod={log}", "--output", str(out)]) == FAILED
    comment = out.read_text()
    assert "- error: `getting stack configuration: incorrect passphrase`" in comment
    assert "warning: something" not in comment


def test_without_output_the_comment_goes_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", f"dev={save(tmp_path, 'dev', dev_new())}"]) == OK
    assert capsys.readouterr().out.startswith(MARKER)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{\n  "steps": []\n}\n', "line 1 is not JSON"),
        ("<html>\n", "line 1 is not JSON"),
        (None, "No such file"),
    ],
)
def test_a_file_that_is_not_an_event_stream_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, says: str
) -> None:
    bad, out = tmp_path / "bad.jsonl", tmp_path / "comment.md"
    if content is not None:
        bad.write_text(content)
    good = save(tmp_path, "dev", dev_new())
    assert main(["--stack", f"dev={good}", "--stack", f"prod={bad}", "--output", str(out)]) == UNUSABLE
    err = capsys.readouterr().err
    assert err.startswith(f"ops.comment: {bad}: ") and says in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--stack", "dev=a", "--stack", "dev=b"], "--stack dev is given twice"),
        (["--stack", "dev=a", "--log", "prod=b"], "--log prod names no --stack"),
    ],
)
def test_inconsistent_arguments_are_refused(args: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == UNUSABLE
    assert says in capsys.readouterr().err


@pytest.mark.parametrize("args", [[], ["--stack", "dev"], ["--stack", "=x"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == UNUSABLE


def test_runs_as_a_module(tmp_path: Path) -> None:
    staging = save(tmp_path, "staging", violating())
    proc = subprocess.run(
        [sys.executable, "-m", "ops.comment", "--stack", f"staging={staging}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == FAILED and proc.stdout.startswith(MARKER)
