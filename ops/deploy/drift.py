"""Drift: what `pulumi preview --refresh --expect-no-changes --json` found for a stack, reported to the job
summary, to Slack and to one GitHub issue per stack that stays open, kept current, while the stack drifts
and is closed when it is clean again."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import EXIT_DRIFT, EXIT_OK, EXIT_PREVIEW_FAILED
from .github import Issues
from .output import job_summary, log
from .preview import Preview, markdown_table
from .slack import run_url

LABEL = "infra-drift"
# `pulumi preview --expect-no-changes` exits with this when it found changes (ExitNoChanges in pulumi/pkg).
PULUMI_EXIT_CHANGES = 7
_DIGEST = re.compile(r"<!-- drift-digest: (\w+) -->")


def marker(stack: str) -> str:
    return f"<!-- converge-nps drift: stack={stack} -->"


@dataclass(frozen=True)
class DriftCheck:
    stack: str
    preview: Preview
    pulumi_exit: int

    @property
    def state(self) -> str:
        """clean, drift, or error (the preview failed, so drift is unknown)."""
        if self.preview.errors or self.pulumi_exit not in (0, PULUMI_EXIT_CHANGES):
            return "error"
        if self.preview.changes:
            return "drift"
        return "error" if self.pulumi_exit == PULUMI_EXIT_CHANGES else "clean"

    def markdown(self, env: Mapping[str, str]) -> str:
        run = run_url(env)
        checked = f"Checked by [this run]({run})." if run else ""
        if self.state == "clean":
            return (
                f"### Drift check of `{self.stack}`: clean\n\n"
                f"No changes between the program, the state and the live resources. {checked}"
            )
        if self.state == "error":
            errors = list(self.preview.errors) or [f"`pulumi preview` exited with status {self.pulumi_exit}"]
            listed = "\n".join(f"- {e.splitlines()[0]}" for e in errors)
            return (
                f"### Drift check of `{self.stack}`: the preview failed\n\nDrift is unknown.\n\n{listed}\n\n{checked}"
            )
        count = len(self.preview.changes)
        return (
            f"### Drift check of `{self.stack}`: {count} change{'s' if count != 1 else ''}\n\n"
            "`pulumi preview --refresh --expect-no-changes` would change these resources, so the live "
            "infrastructure, the state or the program moved apart:\n\n"
            f"{markdown_table(self.preview)}\n\n"
            "Either bring the change into the program (a pull request), or run the deploy of this stack to put "
            f"the resources back as the program declares them. {checked}"
        )


def report(check: DriftCheck, issues: Issues, notify: Callable[[str], bool], env: Mapping[str, str]) -> int:
    """Report one stack's drift check; the exit code says clean (0), drift (3) or preview failed (4)."""
    summary = check.markdown(env)
    job_summary(summary)
    state = check.state
    if state == "error":
        notify(f":warning: The drift check of *{check.stack}* failed: drift is unknown. {_link(env)}")
        log(f"the preview of {check.stack} failed; the drift issue is left as it is")
        return EXIT_PREVIEW_FAILED
    issue = issues.find_open(LABEL, marker(check.stack))
    if state == "clean":
        if issue is not None:
            run = run_url(env)
            issues.comment(issue["number"], f"The stack is clean again{f' ([run]({run}))' if run else ''}.")
            issues.update(issue["number"], state="closed", state_reason="completed")
            notify(f":white_check_mark: *{check.stack}* no longer drifts (closed {issue['html_url']}). {_link(env)}")
            log(f"{check.stack} is clean: closed issue #{issue['number']}")
        else:
            log(f"{check.stack} is clean")
        return EXIT_OK
    digest = check.preview.digest
    body = f"{marker(check.stack)}\n<!-- drift-digest: {digest} -->\n{summary}"
    if issue is None:
        created = issues.create(f"Infrastructure drift in stack {check.stack}", body, [LABEL])
        notify(f":warning: *{check.stack}* drifts: {len(check.preview.changes)} change(s), {created['html_url']}")
        log(f"{check.stack} drifts: opened issue #{created['number']}")
        return EXIT_DRIFT
    previous = _DIGEST.search(issue.get("body") or "")
    issues.update(issue["number"], body=body)
    if previous is None or previous.group(1) != digest:
        issues.comment(issue["number"], f"The drift changed:\n\n{markdown_table(check.preview)}")
        notify(f":warning: *{check.stack}*'s drift changed: {issue['html_url']}")
        log(f"{check.stack} drifts differently: updated issue #{issue['number']}")
    else:
        log(f"{check.stack} still drifts as before: refreshed issue #{issue['number']}")
    return EXIT_DRIFT


def _link(env: Mapping[str, str]) -> str:
    run = run_url(env)
    return f"<{run}|run>" if run else ""
