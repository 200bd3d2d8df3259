"""Read scheme.yaml into a Scheme, refusing a bad file with Chinese messages naming each key."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from firescore.scheme.model import Scheme


class SchemeError(Exception):
    """A scheme file the program refuses; `message` is Chinese and names the key."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice in one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"键「{key}」重复", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node)
    return mapping


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


_ERROR_TEXT = {
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "date_type": "应为日期（如 2025-01-01）",
    "date_parsing": "应为日期（如 2025-01-01）",
    "date_from_datetime_parsing": "应为日期（如 2025-01-01）",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
    "list_type": "应为列表",
    "too_short": "不能为空",
    "string_pattern_mismatch": "不能含空白",
}


def _key_path(loc: tuple[Any, ...]) -> str:
    """Pydantic location -> key path like fire.split.count or indicators[3].points."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part + 1}]"
        elif part == "[key]":
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "（文件顶层）"


def _shown(value: Any) -> str:
    """A value as shown in a message: strings quoted, None as 空."""
    if value is None:
        return "空"
    if isinstance(value, str):
        return f"“{value}”" if "\n" in value else f'"{value}"'
    if isinstance(value, dict):
        return "键值映射"
    return str(value)


def _error_text(err: dict[str, Any]) -> str:
    """One pydantic error as a Chinese sentence."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return "缺少此键"
    if kind == "extra_forbidden":
        return "不认识此键（请检查拼写，或删除此键）"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "literal_error":
        allowed = "、".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        text = f"应为以下之一：{allowed}"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        word = {
            "greater_than_equal": "不小于",
            "greater_than": "大于",
            "less_than_equal": "不大于",
            "less_than": "小于",
        }[kind]
        text = f"应{word} {bound}"
    else:
        text = _ERROR_TEXT.get(kind, f"取值无效（{err['msg']}）")
    return f"{text}，实际为 {_shown(err.get('input'))}"


def _scheme_error(name: str, exc: ValidationError) -> SchemeError:
    """Turn a ValidationError into one SchemeError listing every problem."""
    lines = []
    for err in exc.errors():
        path = _key_path(err["loc"])
        if err["type"] == "missing":
            lines.append(f"方案文件 {name} 缺少键 {path}")
        elif err["loc"] and err["loc"][-1] == "[key]":
            lines.append(f"方案文件 {name} 中的键 {path} 名称有误：{_error_text(err)}")
        else:
            lines.append(f"方案文件 {name} 中的键 {path}：{_error_text(err)}")
    return SchemeError("\n".join(lines))


def load_scheme(path: str | Path) -> Scheme:
    """Read and check scheme.yaml; raise SchemeError with a Chinese message naming the key."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SchemeError(f"找不到方案文件 {path}") from None
    except UnicodeDecodeError:
        raise SchemeError(f"方案文件 {name} 不是 UTF-8 编码的文本") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SchemeError(f"方案文件 {name} 不是有效的 YAML：{where}{problem}") from None
    if not isinstance(data, dict):
        raise SchemeError(f"方案文件 {name} 的顶层应为键值映射")
    try:
        return Scheme.model_validate(data)
    except ValidationError as exc:
        raise _scheme_error(name, exc) from None
