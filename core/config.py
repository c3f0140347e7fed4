"""Loading and validating ``yuqing.yaml`` into typed settings.

Errors name the file, the line, the key and the expected form, e.g.
``yuqing.yaml:14: sources[1].interval: expected a duration such as '30s', '10m' or '2h'``.
``${ENV_VAR}`` in any string is replaced from the environment, so secrets stay out of the file;
the values of secret fields are ``SecretStr`` and never printed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core.settings import NOTIFIER_TYPES, RULE_TYPES, LocatedError, Settings

_ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_ENV_FORM = "${NAME} or ${NAME:-default}"


class ConfigError(Exception):
    """A configuration problem; ``str()`` is a complete message for the user."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class _Located:
    """Line numbers (1-based) of every key path in the YAML document."""

    lines: dict[tuple[str | int, ...], int]

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        # Walk up until a located ancestor: a missing key is reported at its parent.
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _locate(
    node: yaml.Node, path: tuple[str | int, ...], out: dict[tuple[str | int, ...], int]
) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            out[(*path, key)] = key_node.start_mark.line + 1
            _locate(value_node, (*path, key), out)
            out[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _locate(item, (*path, index), out)


def _format_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text or "(top level)"


def _interpolate(
    value: Any, path: tuple[str | int, ...], problems: list[tuple[tuple[str | int, ...], str]]
) -> Any:
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if default == "":
                # ${NAME:-} hides a missing secret behind an empty value.
                problems.append(
                    (path, f"${{{name}:-}} has an empty default: write {_ENV_FORM} with a value")
                )
                return ""
            found = os.environ.get(name)
            if found is None:
                if default is not None:
                    return default
                problems.append((path, f"environment variable {name} is not set"))
                return ""
            return found

        result = _ENV_PATTERN.sub(replace, value)
        if "${" in _ENV_PATTERN.sub("", value):
            problems.append((path, f"an unterminated or malformed ${{…}}: expected {_ENV_FORM}"))
        return result
    if isinstance(value, dict):
        return {k: _interpolate(v, (*path, str(k)), problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, (*path, i), problems) for i, v in enumerate(value)]
    return value


def parse_config(text: str, filename: str = "yuqing.yaml") -> Settings:
    """Parse and validate configuration text; raise ``ConfigError`` listing every problem."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}" if mark is not None else filename
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"{where}: not valid YAML: {problem}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([f"{filename}:1: expected a mapping of sections at the top level"])
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _locate(node, (), lines)
    located = _Located(lines)

    env_problems: list[tuple[tuple[str | int, ...], str]] = []
    data = _interpolate(data, (), env_problems)
    if env_problems:
        raise ConfigError(
            [
                f"{filename}:{located.line_of(path) or 1}: {_format_path(path)}: {message}"
                for path, message in env_problems
            ]
        )
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            path = error_path(error)
            line = located.line_of(path) or 1
            problems.append(f"{filename}:{line}: {_format_path(path)}: {_explain(error)}")
        raise ConfigError(problems) from None


# The keys whose entries are tagged unions on ``type``, and the tags of each: pydantic puts
# the tag into error locations (``rules.0.spike.baseline``), which is not a key of the file.
_TAGGED: dict[str, tuple[str, ...]] = {"rules": RULE_TYPES, "notifiers": NOTIFIER_TYPES}
_TAG_ERRORS = ("union_tag_invalid", "union_tag_not_found")


def error_path(error: Any, tags: tuple[str, ...] = ()) -> tuple[str | int, ...]:
    """The key path of a validation error in the file: without the union tags pydantic
    inserts, and at ``type`` when the tag itself is wrong. ``tags``: those of an entry
    validated on its own (a rule file's rule), whose error paths start with the tag. A
    ``LocatedError`` adds the path of what it is about."""
    loc = list(error["loc"])
    if tags and loc and loc[0] in tags:
        loc = loc[1:]
    path: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and part.startswith("function-"):
            continue
        if len(path) >= 2 and isinstance(path[-1], int) and part in _TAGGED.get(str(path[-2]), ()):
            continue
        path.append(part)
    if error.get("type") in _TAG_ERRORS:
        path.append("type")
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, LocatedError):  # a check that names the entry or key it is about
        path += cause.path
    return tuple(path)


def _explain(error: Any) -> str:
    kind = error.get("type", "")
    message = str(error.get("msg", "invalid value"))
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx") or {}
        return f"unknown type {ctx.get('tag')!r} (expected one of: {ctx.get('expected_tags')})"
    if kind == "union_tag_not_found":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see `yuqing init` for every key)"
    return message.removeprefix("Value error, ")


def load_config(path: str | Path) -> Settings:
    """Load ``path``; relative paths inside it (archive file, models) resolve against its folder."""
    config_path = Path(path)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [f"{config_path}: configuration file not found (create one with `yuqing init`)"]
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{config_path}: not UTF-8 text ({exc.reason})"]) from None
    settings = parse_config(text, filename=str(config_path))
    settings.resolve_paths(config_path.resolve().parent)
    settings.config_path = config_path.resolve()
    return settings
