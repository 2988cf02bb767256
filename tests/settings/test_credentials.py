"""A credential in a key that is not secret is refused with the command that stores it encrypted, never echoed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settings.credentials import credential_kind
from settings.errors import StackConfigError
from settings.loader import load_stack_settings
from tests.settings.fixtures import NS, SECRETS, config

PROPERTY = settings(max_examples=200, deadline=None)

B62 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def body(size: int, alphabet: str = B62) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=size, max_size=size + 20)


# Credentials as their issuers format them; none of these strings appears in the code under test.
TOKENS: dict[str, st.SearchStrategy[str]] = {
    "GitHub token": st.tuples(st.sampled_from(["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]), body(36)).map("".join)
    | body(82, B62 + "_").map(lambda b: "github_pat_" + b),
    "Slack token": st.tuples(st.sampled_from(["xoxb-", "xoxp-"]), body(24, B62 + "-")).map("".join),
    "Supabase access token": body(40, "0123456789abcdef").map(lambda b: "sbp_" + b),
    "AWS access key id": body(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").map(lambda b: "AKIA" + b[:16]),
    "SendGrid API key": st.tuples(body(22, B62 + "_-"), body(43, B62 + "_-")).map(lambda p: f"SG.{p[0]}.{p[1]}"),
    "Stripe secret key": body(24).map(lambda b: "sk_live_" + b),
    "JSON Web Token": st.tuples(body(20, B62 + "_-"), body(30, B62 + "_-"), body(43, B62 + "_-")).map(
        lambda p: f"eyJ{p[0]}.eyJ{p[1]}.{p[2]}"
    ),
    "PEM private key": st.sampled_from(["RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", ""]).flatmap(
        lambda kind: body(64, B62 + "+/").map(
            lambda b: f"-----BEGIN {kind}PRIVATE KEY-----\n{b}\n-----END {kind}PRIVATE KEY-----"
        )
    ),
    "URL with a password (user info)": st.tuples(
        st.sampled_from(["postgres", "https", "redis", "amqp"]), body(6), body(12)
    ).map(lambda p: f"{p[0]}://{p[1]}:{p[2]}@db.example.com:5432/app"),
}

# Where a pasted value may land: non-secret keys of ours at any depth, and other namespaces.
PLACES: list[tuple[str, tuple[str | int, ...]]] = [
    ("frontendUrl", ()),
    ("database", ("organization",)),
    ("backend", ("region",)),
    ("backend", ("publicDomain",)),
    ("database", ("allowedCidrs", 0)),
    ("github", ("reviewerTeams", 1)),
    ("image", ("tag",)),
    ("railway", ("projectId",)),
    ("notAKey", ()),
    ("aws:accessKey", ()),
    ("github:token", ()),
]


def place(values: dict[str, Any], key: str, location: tuple[str | int, ...], text: str) -> str:
    """Put `text` at `key`/`location`; returns the path messages name it by."""
    full = key if ":" in key else f"{NS}:{key}"
    if not location:
        values[full] = text
        return full
    node = values.setdefault(full, {})
    *parents, last = location
    for part in parents:
        node = node.setdefault(part, [] if isinstance(location[location.index(part) + 1], int) else {})
    if isinstance(last, int):
        node.extend(["x"] * (last + 1 - len(node)))
    node[last] = text
    path = full
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


@st.composite
def leaks(draw: st.DrawFn) -> tuple[str, str, str, tuple[str | int, ...], bool]:
    kind = draw(st.sampled_from(sorted(TOKENS)))
    token = draw(TOKENS[kind])
    around = draw(st.sampled_from(["{}", "prefix-{}", "https://ci.example.com/?token={}", "{} trailing", "x={};"]))
    key, location = draw(st.sampled_from(PLACES))
    as_json = draw(st.booleans())  # how the engine hands structured config to a program
    return kind, around.format(token), key, location, as_json


@PROPERTY
@given(leak=leaks(), stack=st.sampled_from(["dev", "staging", "prod"]))
def test_a_credential_in_a_plaintext_key_is_refused_property(
    leak: tuple[str, str, str, tuple[str | int, ...], bool], stack: str
) -> None:
    kind, text, key, location, as_json = leak
    values = config(stack)
    path = place(values, key, location, text)
    full = path.split(".")[0].split("[")[0]
    if as_json and location:
        values[full] = json.dumps(values[full])
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings(stack, values, {})
    message = str(caught.value)
    assert text not in message
    assert f"{path}: holds what looks like a credential ({kind})" in message or credential_kind(text) != kind
    flag = "--path " if location else ""
    assert f"`pulumi config set --secret {flag}{path} <value> -s {stack}`" in message
    for secret in SECRETS.values():
        assert secret not in message


@PROPERTY
@given(leak=leaks())
def test_the_same_value_in_a_secret_key_is_accepted_property(
    leak: tuple[str, str, str, tuple[str | int, ...], bool],
) -> None:
    text = leak[1]
    values = {**config("dev"), "github:token": text, f"{NS}:smartsheetApiKey": text}
    load_stack_settings("dev", values, {}, secret_keys={"github:token"})


@pytest.mark.parametrize(
    "value",
    ["ghp_tools", "my-sbp_repo", "SG.x", "AKIA-not-a-key", "eyJ", "https://user@example.com", "xoxb"],
)
def test_names_that_only_start_like_a_token_are_not_credentials(value: str) -> None:
    assert credential_kind(value) is None


def test_a_validators_message_never_quotes_a_leaked_value() -> None:
    token = "ghp_" + "Q" * 36
    values = config("prod", frontendUrl=f"http://{token}.example.com/", **{"backend.publicDomain": f"API.{token}"})
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings("prod", values, {})
    assert token not in str(caught.value)
    assert caught.value.keys == {f"{NS}:frontendUrl", f"{NS}:backend.publicDomain"}


def test_an_encrypted_value_in_a_stack_file_is_not_read_as_plaintext() -> None:
    values = config("dev", **{"database.organization": "fixture-org"})
    values["github:token"] = {"secure": "v1:" + "A" * 60}
    load_stack_settings("dev", values, {})
