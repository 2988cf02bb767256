"""secret-stack-outputs: what counts as a credential among the stack's outputs, over generated output
trees (every kind of credential at any depth, plaintext or secret, beside values that only look busy)."""

from __future__ import annotations

import base64
import random
import string
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from components import tokens
from components.values import Secret
from policies.converge_policies.common import show_path
from policies.converge_policies.stack_outputs import plaintext_credentials
from tests.policies.harness import Resources, judge

_alnum = st.text(string.ascii_letters + string.digits, min_size=40, max_size=60)
_upper = st.text(string.ascii_uppercase + string.digits, min_size=16, max_size=16)
_url_safe = st.text(string.ascii_letters + string.digits + "_-", min_size=20, max_size=50)

CREDENTIALS = st.one_of(
    st.builds(
        lambda p, host: f"postgresql://postgres:{p}@{host}:5432/postgres", _url_safe, st.sampled_from(["db", "h.io"])
    ),
    st.builds(lambda p: f"redis://default:{p}@redis.railway.internal:6379", _url_safe),
    st.builds(lambda body, kind: f"gh{kind}_{body[:36]}", _alnum, st.sampled_from("pousr")),
    st.builds(lambda body: f"AKIA{body}", _upper),
    st.builds(lambda body, mode: f"sk_{mode}_{body[:24]}", _alnum, st.sampled_from(["live", "test"])),
    st.builds(
        lambda body: f"xoxb-{body}", st.text(string.ascii_letters + string.digits + "-", min_size=20, max_size=50)
    ),
    st.builds(lambda a, b: f"SG.{a}.{b}", _url_safe, _url_safe),
    st.builds(lambda body: f"AIza{(body * 2)[:35]}", _url_safe),
    st.builds(lambda a, b, c: f"eyJ{a}.eyJ{b}.{c}", _url_safe, _url_safe, _url_safe),
    st.builds(lambda body: f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----", _alnum),
    st.builds(lambda body: f"https://hooks.slack.com/services/T0/B0/{body}", _url_safe),
)
SENSITIVE_NAMES = st.sampled_from(["jwtSecret", "apiToken", "dbPassword", "signingKey", "SERVICE_ROLE_KEY"])
# Keys as generators write them: random bytes, hex or base64 encoded (seeded, so shrinking a failure
# shrinks the seed, not the randomness).
RANDOM_SECRETS = st.builds(
    lambda seed, size, encode: encode(random.Random(seed).randbytes(size)),
    st.integers(0, 2**32),
    st.integers(16, 48),
    st.sampled_from(
        [bytes.hex, lambda raw: base64.b64encode(raw).decode(), lambda raw: base64.urlsafe_b64encode(raw).decode()]
    ),
)
# What the outputs legitimately hold: hosts, URLs without passwords, digests under plain names, dates
# and words under sensitive-sounding names, numbers.
BENIGN = st.one_of(
    st.integers(),
    st.booleans(),
    st.none(),
    st.sampled_from(["https://api.converge-nps.com", "postgresql://db.x.supabase.co:5432/postgres", "main"]),
    st.builds(
        lambda digest: f"ghcr.io/converge-nps/backend@sha256:{digest}",
        st.text("0123456789abcdef", min_size=64, max_size=64),
    ),
    st.dates().map(str),
)
PLAIN_NAMES = st.sampled_from(["apiUrl", "backendImage", "environment", "projectRef", "region"])
# Names the outputs use, one of them sensitive-sounding (it holds a date).
TREE_NAMES = st.one_of(PLAIN_NAMES, st.just("secretsRotateOn"))


def _tree(leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaf,
        lambda children: st.one_of(st.dictionaries(TREE_NAMES, children, max_size=3), st.lists(children, max_size=3)),
        max_leaves=8,
    )


def _place(tree: Any, name: str, value: Any) -> tuple[dict[str, Any], tuple[str | int, ...]]:
    """`value` under `name` inside a copy of `tree` (at its top when the tree is not a mapping)."""
    outputs = dict(tree) if isinstance(tree, dict) else {"other": tree}
    nested = {"inner": {name: value}}
    outputs["nested"] = nested
    return outputs, ("nested", "inner", name)


@given(outputs=_tree(BENIGN), name=st.one_of(PLAIN_NAMES, SENSITIVE_NAMES), credential=CREDENTIALS)
def test_a_credential_anywhere_in_the_outputs_is_found_by_its_shape(outputs: Any, name: str, credential: str) -> None:
    placed, path = _place(outputs, name, credential)
    assert [found for found, _ in plaintext_credentials(placed)] == [path]


@given(outputs=_tree(BENIGN), name=SENSITIVE_NAMES, secret=RANDOM_SECRETS)
def test_a_random_value_under_a_sensitive_name_is_a_credential(outputs: Any, name: str, secret: str) -> None:
    placed, path = _place(outputs, name, secret)
    assert [found for found, _ in plaintext_credentials(placed)] == [path]


@given(outputs=_tree(BENIGN), name=PLAIN_NAMES, value=RANDOM_SECRETS)
def test_a_random_value_under_a_plain_name_is_not(outputs: Any, name: str, value: str) -> None:
    placed, _ = _place(outputs, name, value)
    assert plaintext_credentials(placed) == []


@given(
    outputs=_tree(BENIGN), name=SENSITIVE_NAMES, credential=st.one_of(CREDENTIALS, RANDOM_SECRETS), whole=st.booleans()
)
def test_a_secret_output_passes(outputs: Any, name: str, credential: str, whole: bool) -> None:
    placed, _ = _place(outputs, name, Secret(credential))
    if whole:
        placed = {"all": Secret(placed)}
    assert plaintext_credentials(placed) == []


def _export(name: str, value: Any) -> Any:
    def change(resources: Resources) -> None:
        resources.one(tokens.STACK).outputs[name] = value

    return change


def test_the_pack_sees_the_stacks_outputs_and_their_secrecy() -> None:
    """Through the pack's own process, as the engine sends the stack resource: plaintext fails, the same
    value as a secret passes, and the message names the output, never the value."""
    url = "postgresql://postgres:Zq8vX2kLmN4pR7sT@db.example.supabase.co:5432/postgres?sslmode=require"
    plaintext = judge("prod", change=_export("databaseUrl", url))
    assert plaintext.result.verdict("secret-stack-outputs") == "fail"
    [message] = plaintext.messages("secret-stack-outputs")
    assert "stack output 'databaseUrl' holds a URL with a password in plaintext" in message
    assert "pulumi.Output.secret" in message
    assert "Zq8vX2kLmN4pR7sT" not in message
    assert judge("prod", change=_export("databaseUrl", Secret(url))).result.verdict("secret-stack-outputs") == "pass"


def test_paths_name_the_output() -> None:
    assert show_path(("database", "urls", 0)) == "database.urls[0]"
