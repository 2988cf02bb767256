"""Read a `Pulumi.<stack>.yaml` as Pulumi does, so that a file Pulumi refuses is refused here too.

Pulumi parses stack files with Go's yaml.v3, which refuses a mapping that repeats a key
(`mapping key "x" already defined at line N`) where PyYAML silently keeps the last value, and which
reads untyped values as YAML 1.2 does where PyYAML reads YAML 1.1: a timestamp stays text (so
`2026-02-30` reaches the settings, which name its key, where PyYAML raises), `yes`, `no`, `on` and
`off` are text, not booleans, and `1:30` is text, not the base-60 number 90.
Every refusal names the file and the line, and never quotes the file's text: it may hold a secret.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from settings.errors import Problem, StackConfigError
from settings.model import SECRET_KEYS
from settings.sources import config_path, is_secure_value, set_secret_command

_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _DuplicateKeyError(ConstructorError):
    pass


class StackFileLoader(yaml.SafeLoader):
    """PyYAML's safe loader with yaml.v3's answers for repeated keys and timestamps."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[tuple[type, Any], int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # `<<` may override merged keys, as in yaml.v3
            key = self.construct_object(key_node, deep=True)
            # Typed, so that `1` and `true` (equal in Python) stay different keys, as in YAML.
            identity = (type(key), key if isinstance(key, Hashable) else repr(key))
            if identity in seen:
                raise _DuplicateKeyError(
                    None,
                    None,
                    f"mapping key {_quoted(key)} already defined at line {seen[identity] + 1}",
                    key_node.start_mark,
                )
            seen[identity] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.MarkedYAMLError:
            raise
        except (ValueError, TypeError, OverflowError):
            # An explicit tag whose text does not convert (`!!int abc`, `!!float x`).
            raise ConstructorError(None, None, f"the value is not a valid {node.tag}", node.start_mark) from None

    def construct_timestamp_as_text(self, node: ScalarNode) -> str:
        return str(self.construct_scalar(node))


StackFileLoader.add_constructor(_TIMESTAMP_TAG, StackFileLoader.construct_timestamp_as_text)
StackFileLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern) for tag, pattern in resolvers if tag not in (_BOOL_TAG, _INT_TAG, _FLOAT_TAG, _TIMESTAMP_TAG)
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StackFileLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
# PyYAML's own patterns without their base-60 forms.
StackFileLoader.add_implicit_resolver(
    _INT_TAG,
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
StackFileLoader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _quoted(key: Any) -> str:
    return '"' + str(key).replace('"', '\\"') + '"'


@dataclass(frozen=True)
class StackFile:
    """A stack file's `config:` mapping, as Pulumi passes it (keys `namespace:key`), and each key's line."""

    config: dict[str, Any]
    lines: dict[str, int]


def stack_of(path: Path) -> str:
    return path.name.removeprefix("Pulumi.").removesuffix(".yaml")


def parse_stack_file(path: Path) -> StackFile:
    """Parse and shape-check a stack file; raise `StackConfigError` naming the file and line of each problem."""
    stack, file = stack_of(path), path.name

    def refuse(message: str, line: int | None, key: str | None = None) -> StackConfigError:
        return StackConfigError(stack, [Problem(key, message, file, line)])

    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise refuse(f"not UTF-8 text (byte {error.start + 1} of the file)", line) from None
    loader: StackFileLoader | None = None
    try:
        loader = StackFileLoader(text)
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise refuse(f"not valid YAML: character U+{error.character:04X} is not allowed in YAML", line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = f"{error.problem} ({error.context})" if error.context else str(error.problem)
        raise refuse(f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None
    finally:
        if loader is not None:
            loader.dispose()
    if document is None:
        return StackFile({}, {})
    if not isinstance(document, dict) or not isinstance(root, MappingNode):
        assert root is not None  # a document was constructed from it
        raise refuse(f"the top level must be a mapping (config: ...), not a {_kind(document)}", _line(root))
    config = document.get("config")
    config_node = _value_node(root, "config")
    if config is None or config_node is None:
        return StackFile({}, {})
    if not isinstance(config, dict) or not isinstance(config_node, MappingNode):
        kind = _kind(config)
        raise refuse(f"config must be a mapping of `namespace:key` to values, not a {kind}", _line(config_node))
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    for key_node, value_node in config_node.value:
        key = loader_key(key_node)
        if key is None:
            problems.append(Problem(None, "a config key must be text (`namespace:key`)", file, _line(key_node)))
            continue
        _record_lines(key, (), value_node, lines)
        lines[key] = _line(key_node)
        if key in SECRET_KEYS and not is_secure_value(config.get(key)):
            problems.append(
                Problem(
                    key,
                    "is a secret but stored in plaintext; store it encrypted with "
                    f"`{set_secret_command(key, stack)}` (value not shown)",
                    file,
                    lines[key],
                )
            )
    if problems:
        raise StackConfigError(stack, problems)
    return StackFile({str(key): value for key, value in config.items()}, lines)


def read_stack_file(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a `Pulumi.<stack>.yaml`, as Pulumi would pass it (keys `namespace:key`)."""
    return parse_stack_file(path).config


def stack_file_lines(path: Path) -> dict[str, int]:
    """Each config key's line in the stack file, for error messages; none when there is no file."""
    return parse_stack_file(path).lines if path.is_file() else {}


def loader_key(node: Node) -> str | None:
    return node.value if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str" else None


def _record_lines(key: str, path: tuple[str | int, ...], node: Node, lines: dict[str, int]) -> None:
    if isinstance(node, MappingNode):
        for child_key, child in node.value:
            name = loader_key(child_key)
            if name is not None:
                lines[config_path(key, (*path, name))] = _line(child_key)
                _record_lines(key, (*path, name), child, lines)
    elif isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            lines[config_path(key, (*path, index))] = _line(child)
            _record_lines(key, (*path, index), child, lines)


def _value_node(mapping: MappingNode, name: str) -> Node | None:
    return next((value for key, value in mapping.value if loader_key(key) == name), None)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )
