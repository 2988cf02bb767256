"""redis-version on its own: versions compared as versions, the compliant, the violating and the
unknown cases, over the real program of each stack and on single images."""

from __future__ import annotations

import pytest
from packaging.version import Version

from components import tokens
from policies.converge_policies.redis_version import image_version, is_redis_image, problem
from tests.policies.harness import Resources, judge, pack_config

MINIMUM = Version("7.4.6")


@pytest.mark.parametrize(
    ("image", "version"),
    [
        ("redis:8.10.1-alpine", "8.10.1"),
        ("redis:7.4.6", "7.4.6"),
        ("redis:7.4.10-alpine3.21", "7.4.10"),
        ("docker.io/library/redis:8.2.2-bookworm", "8.2.2"),
        ("bitnami/redis:7.4.1", "7.4.1"),
        ("redis:8.10.1-alpine@sha256:" + "a" * 64, "8.10.1"),
        ("registry.example.com:5000/redis:8.4", "8.4"),
        ("redis:latest", None),
        ("redis:alpine", None),
        ("redis@sha256:" + "a" * 64, None),
        ("redis", None),
        ("redis:7.4.6rc1", None),
        ("redis:8.2-rc1", "8.2rc1"),
        ("redis:8.0-m03-alpine", "8.0a3"),
    ],
)
def test_the_version_an_image_names(image: str, version: str | None) -> None:
    assert image_version(image) == (Version(version) if version else None)


@pytest.mark.parametrize(
    ("image", "redis"),
    [("redis:8.10.1-alpine", True), ("bitnami/redis:7", True), ("redis-stack:7.4.0", False), ("nginx:1", False)],
)
def test_which_images_are_redis(image: str, redis: bool) -> None:
    assert is_redis_image(image) is redis


@pytest.mark.parametrize(
    ("image", "allowed"),
    [
        ("redis:7.4.6-alpine", True),
        ("redis:7.4.10-alpine", True),  # a string compare would put 7.4.10 below 7.4.6
        ("redis:8.0.0", True),
        ("redis:7.4.5-alpine", False),
        ("redis:7.4.1-alpine", False),
        ("redis:6.2.20", False),
        ("redis:8.12-rc1-alpine", False),  # newer, but a release candidate
    ],
)
def test_versions_are_compared_as_versions(image: str, allowed: bool) -> None:
    assert (problem(image, MINIMUM) is None) is allowed


def test_every_stack_names_its_minimum_and_its_redis_meets_it(stack: str, preview: bool) -> None:
    assert Version(pack_config(stack)["redis-version"]["minimumVersion"])
    assert judge(stack, preview=preview).result.verdict("redis-version") == "pass"


def _image(image: object) -> object:
    def change(resources: Resources) -> None:
        resources.set(tokens.RAILWAY_SERVICE, "redis", "image", image)

    return change


def test_an_image_older_than_the_stacks_minimum_is_refused() -> None:
    judged = judge("staging", preview=False, change=_image("redis:8.8.2-alpine"))
    assert judged.result.verdict("redis-version") == "fail"
    assert judged.messages("redis-version") == [
        "service 'redis' runs redis:8.8.2-alpine: Redis 8.8.2 is older than 8.10.1, the oldest patched release "
        "this stack accepts."
    ]


def test_the_minimum_is_set_per_stack() -> None:
    lowered = {"redis-version": {"minimumVersion": "8.8.0"}}
    assert judge("staging", change=_image("redis:8.8.2-alpine"), config=lowered).result.verdict("redis-version") == (
        "pass"
    )


def test_an_image_that_names_no_version_is_refused() -> None:
    judged = judge("dev", change=_image("redis:alpine"))
    assert judged.result.verdict("redis-version") == "fail"
    assert "its tag names no Redis version" in judged.messages("redis-version")[0]


def test_an_image_not_known_in_preview_is_left_to_the_update() -> None:
    from components.values import UNKNOWN

    judged = judge("prod", change=_image(UNKNOWN))
    assert judged.result.verdict("redis-version") == "pass"
    assert judged.messages("redis-version") == []
