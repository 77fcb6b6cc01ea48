"""Codebooks are data: YAML files in a project's codebook/ folder, validated on load.

A codebook file looks like::

    id: danermark
    name: Danermarks åtta framgångsfaktorer
    codes:
      - id: ledning
        label_sv: En ledning som prioriterar samverkan
        label_en: Leadership that prioritises collaboration
        hotkey: "1"
        colour: "#1f77b4"
        description: ...
        children:            # optional sub-codes, any depth
          - id: ...

Errors name the file, the line and the problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from qualkit import atomic
from qualkit.errors import CodebookError
from qualkit.model import Code, Codebook

# Deeper trees are no codebook a person can code with; the limit keeps every recursive
# consumer (YAML writer, REFI export, the app's tree) far from Python's recursion limit.
MAX_DEPTH = 32
_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def is_code_id(key: str) -> bool:
    """Whether a codebook file can hold `key` as a code id (a-z, 0-9, _ and -)."""
    return bool(_ID.match(key))


_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_CODE_KEYS = {"id", "label_sv", "label_en", "description", "colour", "hotkey", "children", "parent"}
_BOOK_KEYS = {"id", "name", "name_en", "description", "version", "codes", "language", "source"}

# The codebooks that come with qualkit are package data; `qualkit init` copies them into
# the project's own codebook/ folder, where the project reads (and edits) them.
SHIPPED = files("qualkit") / "codebooks"


def _where(path: Path, node: yaml.Node | None) -> str:
    if node is None:
        return str(path)
    return f"{path} line {node.start_mark.line + 1}"


def _scalar(path: Path, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise CodebookError(f"{_where(path, node)}: {what} must be a single value.")
    return str(node.value)


def _mapping(path: Path, node: yaml.Node, allowed: set[str], what: str) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        raise CodebookError(f"{_where(path, node)}: {what} must be a mapping of key: value.")
    out: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = _scalar(path, key_node, "a key")
        if key not in allowed:
            raise CodebookError(
                f"{_where(path, key_node)}: unknown key {key!r} in {what}; "
                f"allowed: {', '.join(sorted(allowed))}."
            )
        if key in out:
            raise CodebookError(f"{_where(path, key_node)}: {key!r} appears twice in {what}.")
        out[key] = value_node
    return out


def parse_codebook(text: str, path: Path | str = "<codebook>") -> Codebook:
    """Parse and validate codebook YAML text."""
    path = Path(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise CodebookError(f"{path}{line}: not valid YAML: {exc.problem}.") from exc
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path}: not valid YAML: {exc}.") from exc
    except RecursionError as exc:
        raise CodebookError(
            f"{path}: nested too deeply to be a codebook (more than {MAX_DEPTH} levels of "
            "codes); flatten it."
        ) from exc
    if root is None:
        raise CodebookError(f"{path}: the file is empty; a codebook needs id, name and codes.")
    book = _mapping(path, root, _BOOK_KEYS, "the codebook")
    for required in ("id", "name", "codes"):
        if required not in book:
            raise CodebookError(f"{_where(path, root)}: the codebook has no {required!r}.")
    book_id = _scalar(path, book["id"], "id")
    if not _ID.match(book_id):
        raise CodebookError(
            f"{_where(path, book['id'])}: codebook id {book_id!r} must be lower-case letters, "
            "digits, '_' or '-'."
        )
    codes: list[Code] = []
    seen: dict[str, yaml.Node] = {}
    hotkeys: dict[str, str] = {}

    def one_code(item: yaml.Node, parent: str | None) -> tuple[str, yaml.Node | None]:
        """Validate one code's fields, append it; return its id and its children node."""
        fields = _mapping(path, item, _CODE_KEYS, "a code")
        if "id" not in fields:
            raise CodebookError(f"{_where(path, item)}: a code has no 'id'.")
        key = _scalar(path, fields["id"], "id")
        if not _ID.match(key):
            raise CodebookError(
                f"{_where(path, fields['id'])}: code id {key!r} must be lower-case letters, "
                "digits, '_' or '-'."
            )
        if key in seen:
            raise CodebookError(
                f"{_where(path, fields['id'])}: code id {key!r} is used twice "
                f"(first at line {seen[key].start_mark.line + 1})."
            )
        seen[key] = fields["id"]
        if "label_sv" not in fields:
            raise CodebookError(f"{_where(path, item)}: code {key!r} has no 'label_sv'.")
        colour = _scalar(path, fields["colour"], "colour") if "colour" in fields else None
        if colour is not None and not _COLOUR.match(colour):
            raise CodebookError(
                f"{_where(path, fields['colour'])}: colour {colour!r} must look like #1f77b4."
            )
        hotkey = _scalar(path, fields["hotkey"], "hotkey") if "hotkey" in fields else None
        if hotkey is not None:
            if len(hotkey) != 1:
                raise CodebookError(
                    f"{_where(path, fields['hotkey'])}: hotkey {hotkey!r} must be one key."
                )
            if hotkey in hotkeys:
                raise CodebookError(
                    f"{_where(path, fields['hotkey'])}: hotkey {hotkey!r} is already used by "
                    f"{hotkeys[hotkey]!r}."
                )
            hotkeys[hotkey] = key
        own_parent = parent
        if "parent" in fields:
            own_parent = _scalar(path, fields["parent"], "parent")
        codes.append(
            Code(
                codebook=book_id,
                key=key,
                label_sv=_scalar(path, fields["label_sv"], "label_sv").strip(),
                label_en=_scalar(path, fields["label_en"], "label_en").strip()
                if "label_en" in fields
                else "",
                description=_scalar(path, fields["description"], "description").strip()
                if "description" in fields
                else "",
                parent=own_parent,
                colour=colour,
                hotkey=hotkey,
            )
        )
        return key, fields.get("children")

    def walk(top: yaml.Node) -> None:
        # Depth-first with an explicit stack, in file order: no recursion, so a hostile
        # file nests as deep as it likes and still gets a one-line answer.
        def items(seq: yaml.Node) -> Iterator[yaml.Node]:
            if not isinstance(seq, yaml.SequenceNode):
                raise CodebookError(f"{_where(path, seq)}: codes must be a list (lines with '- ').")
            return iter(seq.value)

        stack: list[tuple[Iterator[yaml.Node], str | None]] = [(items(top), None)]
        while stack:
            it, parent = stack[-1]
            item = next(it, None)
            if item is None:
                stack.pop()
                continue
            key, children = one_code(item, parent)
            if children is not None:
                if len(stack) >= MAX_DEPTH:
                    raise CodebookError(
                        f"{_where(path, children)}: codes nested more than {MAX_DEPTH} levels "
                        "deep; no coder can use a tree this deep. Flatten it."
                    )
                stack.append((items(children), key))

    walk(book["codes"])
    parents = {c.key: c.parent for c in codes}
    for code in codes:
        if code.parent is not None and code.parent not in seen:
            raise CodebookError(
                f"{_where(path, seen[code.key])}: code {code.key!r} names parent "
                f"{code.parent!r}, which is not in this codebook."
            )
        cycle = _parent_cycle(code.key, parents)
        if cycle:
            raise CodebookError(
                f"{_where(path, seen[code.key])}: code {code.key!r} is its own ancestor "
                f"({' -> '.join(cycle)}); give one of them another parent."
            )
    return Codebook(
        id=book_id,
        name=_scalar(path, book["name"], "name"),
        codes=tuple(codes),
        description=_scalar(path, book["description"], "description").strip()
        if "description" in book
        else "",
        version=_scalar(path, book["version"], "version") if "version" in book else "1",
        name_en=_scalar(path, book["name_en"], "name_en") if "name_en" in book else "",
    )


def _parent_cycle(key: str, parents: dict[str, str | None]) -> list[str]:
    """The chain key -> parent -> ... back to key, or [] when the chain ends at the top."""
    chain = [key]
    seen = {key}
    current = parents.get(key)
    while current is not None and current in parents:
        chain.append(current)
        if current == key:
            return chain
        if current in seen:
            return []  # a cycle further up; reported on one of its own codes
        seen.add(current)
        current = parents.get(current)
    return []


# A codebook is a few kilobytes; anything near this size is not one (or is hostile).
MAX_CODEBOOK_BYTES = 5 * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_CODEBOOK_BYTES:
            raise CodebookError(f"{path}: {size} bytes is too large for a codebook.")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise CodebookError(f"{path}: no such codebook file.") from exc
    except OSError as exc:
        raise CodebookError(f"{path}: cannot be read ({exc.strerror}).") from exc


def load_codebook(path: Path | str) -> Codebook:
    """Read and validate one codebook file."""
    path = Path(path)
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CodebookError(f"{path} line {line}: not UTF-8 text; save it as UTF-8.") from exc
    return parse_codebook(text, path)


def to_yaml(book: Codebook) -> str:
    """Serialise a codebook back to the YAML layout above (nested by parent)."""

    def node(code: Code) -> dict[str, Any]:
        out: dict[str, Any] = {"id": code.key, "label_sv": code.label_sv}
        if code.label_en:
            out["label_en"] = code.label_en
        if code.hotkey:
            out["hotkey"] = code.hotkey
        if code.colour:
            out["colour"] = code.colour
        if code.description:
            out["description"] = code.description
        kids = book.children(code.key)
        if kids:
            out["children"] = [node(k) for k in kids]
        return out

    doc: dict[str, Any] = {"id": book.id, "name": book.name}
    if book.name_en:
        doc["name_en"] = book.name_en
    doc["version"] = book.version
    if book.description:
        doc["description"] = book.description
    doc["codes"] = [node(c) for c in book.children(None)]
    return str(
        yaml.dump(doc, Dumper=_CodebookDumper, allow_unicode=True, sort_keys=False, width=92)
    )


class _CodebookDumper(yaml.SafeDumper):  # type: ignore[misc]
    """Writes codebooks the way people type them: long descriptions folded, hotkeys quoted,
    so an edit through the API changes only the lines it touches."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as the shipped files do.
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if len(value) > 80 and "\n" not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    if len(value) == 1 or value.isdigit() or value.startswith("#"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_CodebookDumper.add_representer(str, _represent_str)


def save_codebook(book: Codebook, path: Path | str) -> Path:
    return atomic.write_text(path, to_yaml(book))


def shipped_codebooks() -> list[Traversable]:
    """The codebook files that come with qualkit, by file name."""
    return sorted(
        (f for f in SHIPPED.iterdir() if f.is_file() and f.name.endswith(".yaml")),
        key=lambda f: f.name,
    )


def title(book: Codebook, lang: str) -> str:
    """The codebook's name in `lang`. A project's copy of a shipped codebook made before
    codebooks had English names takes the shipped one, unless the project renamed it."""
    if lang == "en" and not book.name_en:
        shipped = shipped_codebook(book.id)
        if shipped is not None and shipped.name == book.name and shipped.name_en:
            return shipped.name_en
    return book.title(lang)


def shipped_codebook(codebook_id: str) -> Codebook | None:
    """The shipped codebook with this id (its file name), or None."""
    for source in shipped_codebooks():
        if source.name == f"{codebook_id}.yaml":
            text = source.read_text(encoding="utf-8")
            return parse_codebook(text, f"qualkit/codebooks/{source.name}")
    return None
