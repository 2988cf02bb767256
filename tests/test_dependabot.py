"""The Dependabot configuration has the shape GitHub accepts and keeps every pinned thing current: the
base images of each Dockerfile, the pinned actions, every requirements file and every Go module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import yaml

from offline.program import ROOT

CONFIG = ROOT / ".github" / "dependabot.yml"

INTERVALS = ["daily", "weekly", "monthly", "quarterly", "semiannually", "yearly", "cron"]
# The parts of the published schema (json.schemastore.org/dependabot-2.0.json) this configuration uses,
# with its closed objects: a misspelt or misplaced key fails here rather than in GitHub's parser.
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "updates"],
    "additionalProperties": False,
    "properties": {
        "version": {"enum": [2]},
        "updates": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["package-ecosystem", "schedule"],
                "oneOf": [{"required": ["directory"]}, {"required": ["directories"]}],
                "additionalProperties": False,
                "properties": {
                    "package-ecosystem": {"enum": ["docker", "github-actions", "pip", "gomod"]},
                    "directory": {"type": "string", "pattern": "^/"},
                    "directories": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"type": "string", "pattern": "^/"},
                    },
                    "schedule": {
                        "type": "object",
                        "required": ["interval"],
                        "additionalProperties": False,
                        "properties": {"interval": {"enum": INTERVALS}, "day": {"type": "string"}},
                    },
                    "cooldown": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"default-days": {"type": "integer", "minimum": 0}},
                    },
                    "groups": {
                        "type": "object",
                        "minProperties": 1,
                        "additionalProperties": {
                            "type": "object",
                            "required": ["patterns"],
                            "additionalProperties": False,
                            "properties": {
                                "patterns": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        },
    },
}


def config() -> dict[str, Any]:
    data = yaml.safe_load(CONFIG.read_text())
    assert isinstance(data, dict)
    return data


def directories(ecosystem: str) -> set[str]:
    found: set[str] = set()
    for update in config()["updates"]:
        if update["package-ecosystem"] == ecosystem:
            found.update(update.get("directories", [update.get("directory")]))
    return found


def folders(pattern: str) -> set[str]:
    found = set()
    for path in ROOT.glob(pattern):
        folder = path.parent.relative_to(ROOT)
        if not {".venv", ".cache"} & set(folder.parts):
            found.add("/" if folder == Path() else f"/{folder}")
    return found


def test_the_configuration_has_the_schemas_shape() -> None:
    jsonschema.validate(config(), SCHEMA)


def test_the_schema_refuses_what_github_would() -> None:
    good = config()["updates"][0]
    for bad in (
        {**good, "package-ecosystem": "pypi"},
        {**good, "directory": "/", "directories": ["/"]},
        {**good, "schedule": {"interval": "hourly"}},
        {key: value for key, value in good.items() if key != "schedule"},
    ):
        assert not jsonschema.Draft7Validator(SCHEMA).is_valid({"version": 2, "updates": [bad]}), bad


def test_every_dockerfile_is_watched() -> None:
    assert directories("docker") == folders("docker/*/Dockerfile")
    assert {"/docker/backend", "/docker/frontend"} <= directories("docker")


def test_the_actions_are_watched() -> None:
    assert directories("github-actions") == {"/"}


def test_every_requirements_file_is_watched() -> None:
    watched = directories("pip")
    assert watched == folders("**/requirements*.txt")
    assert {"/", "/policies", "/ops/backup"} <= watched


def test_every_go_module_is_watched() -> None:
    assert directories("gomod") == folders("tools/*/go.mod") == {"/tools/engine", "/tools/standin-providers"}


def test_no_path_is_watched_that_does_not_exist() -> None:
    for update in config()["updates"]:
        for directory in update.get("directories", [update.get("directory")]):
            assert (ROOT / directory.lstrip("/")).is_dir(), directory
