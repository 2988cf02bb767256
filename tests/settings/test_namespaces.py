"""Keys meant as ours but in a namespace we never read, or none: refused with the key they meant."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from settings.errors import StackConfigError
from settings.loader import load_stack_settings
from settings.model import StackSettings
from tests.settings.fixtures import NS, config

OURS = [field.alias or name for name, field in StackSettings.model_fields.items()]
# Namespaces of providers and tools a stack file may carry: never near-misses of ours.
OTHERS = ["aws", "gcp", "azure", "github", "railway", "supabase", "pulumi", "random", "docker", "sentry", "kubernetes"]


@st.composite
def misspellings(draw: st.DrawFn) -> str:
    """`converge-nps` as a hand slips: a letter dropped, doubled or swapped, other case or separator, a part."""
    word = NS
    edit = draw(st.sampled_from(["drop", "double", "swap", "case", "separator", "part"]))
    at = draw(st.integers(0, len(word) - 2))
    if edit == "drop":
        word = word[:at] + word[at + 1 :]
    elif edit == "double":
        word = word[:at] + word[at] + word[at:]
    elif edit == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif edit == "case":
        word = "".join(c.upper() if draw(st.booleans()) else c for c in word)
    elif edit == "separator":
        word = word.replace("-", draw(st.sampled_from(["", "_", ".", "--"])))
    else:
        word = draw(st.sampled_from(["converge", "convergenps", "nps", "converge-np"]))
    assume(word != NS and ":" not in word and word)
    return word


@settings(max_examples=150, deadline=None)
@given(namespace=misspellings(), key=st.sampled_from(OURS), upper=st.booleans())
def test_a_near_miss_namespace_is_refused_with_did_you_mean_property(namespace: str, key: str, upper: bool) -> None:
    typed = key[0].upper() + key[1:] if upper else key
    values = {**config("staging"), f"{namespace}:{typed}": "whatever"}
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings("staging", values, {})
    (problem,) = caught.value.problems
    assert problem.key == f"{namespace}:{typed}"
    assert f"did you mean `{NS}:{key}`? Rename the key in Pulumi.staging.yaml" in problem.message
    assert "whatever" not in str(caught.value)


@settings(max_examples=100, deadline=None)
@given(namespace=st.sampled_from(OTHERS), key=st.sampled_from(OURS))
def test_other_providers_namespaces_are_theirs_property(namespace: str, key: str) -> None:
    load_stack_settings("dev", {**config("dev"), f"{namespace}:{key}": "theirs"}, {})


@pytest.mark.parametrize(
    ("key", "says"), [("eventMode", f"did you mean `{NS}:eventMode`?"), ("colour", "this project's keys are")]
)
def test_a_key_without_a_namespace_is_refused(key: str, says: str) -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings("dev", {**config("dev"), key: True}, {})
    (problem,) = caught.value.problems
    assert problem.key == key and "is not a `namespace:key` config key" in problem.message and says in problem.message


@pytest.mark.parametrize(
    ("key", "value", "suggested"),
    [
        ("EventMode", True, "eventMode"),
        ("frontendURL", "https://x.example.com", "frontendUrl"),
        ("backend.minReplica", 1, "backend.minReplicas"),
        ("database.organisation", "org", "database.organization"),
    ],
)
def test_an_unknown_key_of_ours_suggests_the_closest(key: str, value: object, suggested: str) -> None:
    top, _, sub = key.partition(".")
    values = config("dev", **({f"{top}.{sub}": value} if sub else {top: value}))
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings("dev", values, {})
    assert f"{NS}:{key}: unknown key; did you mean `{NS}:{suggested}`?" in str(caught.value)


def test_a_credential_under_a_misspelled_key_gets_both_fixes() -> None:
    token = "sk_live_" + "Ab3" * 10
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings("prod", {**config("prod"), "converge:sendgridApiKey": token}, {})
    text = str(caught.value)
    assert token not in text
    assert f"did you mean `{NS}:sendgridApiKey`?" in text
    assert "`pulumi config set --secret converge:sendgridApiKey <value> -s prod`" in text


def test_a_path_in_a_near_miss_namespace_is_judged_by_its_first_part() -> None:
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings("dev", {**config("dev"), "convergenps:backend.minReplicas": 2}, {})
    assert f"did you mean `{NS}:backend.minReplicas`?" in str(caught.value)
