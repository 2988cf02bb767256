"""The provider core's rules, independent of any service: naming, diff, unknowns, secrets, gone, adopt."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi.dynamic import CreateResult, ReadResult
from pulumi.output import Unknown
from pulumi.runtime import rpc

from providers.core.errors import ApiError, NotFoundError
from providers.core.properties import camel, changed, normalised, plain, properties, secret, snake
from providers.core.provider import Origin, Provider, create_or_adopt
from tests.specs import ROOT


@pytest.mark.parametrize(
    ("field", "prop"),
    [("name", "name"), ("memory_gb", "memoryGb"), ("tables_without_rls", "tablesWithoutRls"), ("vcpus", "vcpus")],
)
def test_one_naming_rule_both_ways(field: str, prop: str) -> None:
    assert camel(field) == prop and snake(prop) == field


@dataclass
class _Args:
    project_id: str
    variables: dict[str, str]
    default_pool_size: int | None = None


def test_only_top_level_keys_are_renamed() -> None:
    args = _Args(project_id="p", variables={"NODE_ENV": "production", "node_env": "x", "snake_case": "y"})
    assert properties(args) == {
        "projectId": "p",
        "variables": {"NODE_ENV": "production", "node_env": "x", "snake_case": "y"},
        "defaultPoolSize": None,
    }


def test_numbers_cross_as_floats_and_none_in_a_map_is_no_entry() -> None:
    assert normalised(2.0) == 2 and normalised({"a": 1.0, "b": None}) == {"a": 1}
    assert changed({"n": 2}, {"n": 2.0}, ["n"]) == []
    assert changed({"m": {"a": "1"}}, {"m": {"a": "1", "b": None}}, ["m"]) == []


def test_list_order_counts_unless_the_input_is_declared_unordered() -> None:
    olds, news = {"cidrs": ["b", "a"]}, {"cidrs": ("a", "b")}
    assert changed(olds, news, ["cidrs"]) == ["cidrs"]
    assert changed(olds, news, ["cidrs"], unordered=["cidrs"]) == []


@pytest.mark.parametrize("unknown", [rpc.UNKNOWN, Unknown(), {"nested": [rpc.UNKNOWN]}])
def test_an_unknown_new_value_anywhere_is_a_change(unknown: Any) -> None:
    assert changed({"x": "same"}, {"x": unknown}, ["x"]) == ["x"]


def test_secrets_unwrap_everywhere_and_marking_is_idempotent() -> None:
    wrapped = {"a": rpc.wrap_rpc_secret("s"), "b": [rpc.wrap_rpc_secret({"c": rpc.wrap_rpc_secret("t")})]}
    assert plain(wrapped) == {"a": "s", "b": [{"c": "t"}]}
    assert secret(secret("s")) == rpc.wrap_rpc_secret("s") and secret(None) is None


class _Kind(Provider):
    inputs = ("projectId", "password")
    replace_on = ("projectId",)
    outputs = ("token",)
    secret_outputs = ("token",)
    seen: list[Any] = []  # noqa: RUF012 - a test's recorder

    def create(self, props: dict[str, Any]) -> CreateResult:
        self.seen.append(props)
        return CreateResult("id-1", {**self.given(props), "token": "t0k3n"})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        raise NotFoundError("Test API", "read", "no such thing", status=404)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        raise NotFoundError("Test API", "delete", "no such thing", status=404)


def test_inputs_arrive_plain_and_secret_outputs_leave_marked() -> None:
    created = _Kind().create({"projectId": "p", "password": rpc.wrap_rpc_secret("pw")})
    assert _Kind.seen[-1] == {"projectId": "p", "password": "pw"}
    assert created.outs is not None and created.outs["token"] == rpc.wrap_rpc_secret("t0k3n")
    assert created.outs["password"] == "pw", "only declared secret outputs are re-marked"


def test_not_found_on_read_is_gone_and_on_delete_is_done() -> None:
    read = _Kind().read("id-1", {})
    assert read.id == "" and read.outs == {}
    _Kind().delete("id-1", {})


def test_diff_compares_the_declared_inputs_only() -> None:
    olds = {"projectId": "p", "password": "pw", "token": rpc.wrap_rpc_secret("t")}
    assert not _Kind().diff("id-1", olds, {"projectId": "p", "password": rpc.wrap_rpc_secret("pw")}).changes
    diff = _Kind().diff("id-1", olds, {"projectId": "q", "password": "pw"})
    assert diff.replaces == ["projectId"] and diff.delete_before_replace is False


def _lost(operation: str = "create") -> ApiError:
    return ApiError("Test API", operation, "timed out", ambiguous=True)


def test_create_or_adopt_looks_first_and_again_after_a_lost_answer() -> None:
    made: list[str] = []

    def create() -> dict[str, Any]:
        made.append("x")
        raise _lost()

    assert create_or_adopt(lambda: {"id": "old"}, create, what="thing") == ({"id": "old"}, Origin.FOUND)
    assert made == []
    finds = iter([None, {"id": "new"}])
    assert create_or_adopt(lambda: next(finds), create, what="thing") == ({"id": "new"}, Origin.RECOVERED)
    assert made == ["x"]


def test_create_or_adopt_repeats_once_or_says_a_rerun_is_safe() -> None:
    answers = iter([_lost(), {"id": "second"}])

    def create() -> dict[str, Any]:
        answer = next(answers)
        if isinstance(answer, ApiError):
            raise answer
        return answer

    assert create_or_adopt(lambda: None, create, what="thing") == ({"id": "second"}, Origin.CREATED)

    def lost() -> dict[str, Any]:
        raise _lost()

    with pytest.raises(ApiError, match=r"timed out; no project named 'x' exists yet, so `pulumi up` again is safe"):
        create_or_adopt(lambda: None, lost, what="project named 'x'", repeat_after_lost_answer=False)


def test_declaring_resources_imports_no_http_library_and_no_client() -> None:
    components = [
        "components.redis_cache",
        "components.backend_service",
        "components.supabase_database",
        "components.railway_project",
    ]
    code = (
        f"import sys, {', '.join(components)}; "
        "print(sorted(m for m in sys.modules if m == 'httpx' or m.startswith('providers.') and m.endswith('.client')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_running_the_program_imports_no_http_library_and_no_client() -> None:
    # Production declares every kind, the watchdog's project token included.
    code = (
        "import sys; from tests.doubles import run_stack; run_stack('prod'); "
        "print(sorted(m for m in sys.modules if m == 'httpx' or m.startswith('providers.') and m.endswith('.client')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip().splitlines()[-1] == "[]"
