"""Report wording and templates: shipped defaults, overridable per project.

A project's `templates/` folder wins over the package's: a user copies a file there
(`qualkit report templates`) and edits the wording without touching code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from qualkit import atomic
from qualkit.errors import InputError

if TYPE_CHECKING:
    import jinja2

# Package data: read through importlib.resources, so an installed wheel finds them too.
SHIPPED_TEMPLATES = files("qualkit.export") / "templates"
TEXTS_FILE = "texts.yaml"
LANGS = ("sv", "en")


def project_templates_dir(root: Path) -> Path:
    return root / "templates"


def _read_texts(path: Path | Traversable) -> dict[str, dict[str, str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc}); fix it or delete it.") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected sections 'sv:' and 'en:' with text keys.")
    out: dict[str, dict[str, str]] = {}
    for lang, section in data.items():
        if not isinstance(section, dict):
            raise InputError(f"{path}: section {lang!r} must map keys to texts.")
        out[str(lang)] = {str(k): str(v) for k, v in section.items()}
    return out


@dataclass(frozen=True, slots=True)
class Texts:
    """The wording of one language; call it like a function: t('factor_counts', promoting=3)."""

    lang: str
    table: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def load(cls, lang: str = "sv", project_root: Path | None = None) -> Texts:
        if lang not in LANGS:
            raise InputError(f"Unknown language {lang!r}; choose {' or '.join(LANGS)}.")
        merged = dict(_read_texts(SHIPPED_TEMPLATES / TEXTS_FILE)[lang])
        if project_root is not None:
            own = project_templates_dir(project_root) / TEXTS_FILE
            if own.is_file():
                merged.update(_read_texts(own).get(lang, {}))
        return cls(lang, MappingProxyType(merged))

    def __call__(self, key: str, **values: Any) -> str:
        text = _plurals(self.table.get(key, key), values)
        try:
            return text.format(**values) if values else text
        except (KeyError, IndexError):
            return text

    def valence(self, value: str) -> str:
        return self(f"valence_{value}")


# "{n|inspelning|inspelningar}": the first form when the count `n` is 1, else the second,
# so a report says "1 inspelning" and "3 inspelningar", not "inspelning(ar)".
_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def _plurals(text: str, values: Mapping[str, Any]) -> str:
    def form(match: re.Match[str]) -> str:
        count = values.get(match.group(1))
        if count is None:
            return match.group(0)
        return match.group(2) if count == 1 else match.group(3)

    return _PLURAL.sub(form, text)


def environment(project_root: Path | None, *, html: bool) -> jinja2.Environment:
    """Jinja2 environment looking in the project's templates/ first, then the shipped ones."""
    import jinja2

    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("qualkit.export", "templates")]
    if project_root is not None and project_templates_dir(project_root).is_dir():
        loaders.insert(0, jinja2.FileSystemLoader(str(project_templates_dir(project_root))))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def copy_templates(project_root: Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the shipped templates into <project>/templates/ for editing. Returns files written."""
    target = project_templates_dir(project_root)
    written: list[Path] = []
    for src in sorted(SHIPPED_TEMPLATES.iterdir(), key=lambda f: f.name):
        if not src.is_file():
            continue
        dest = target / src.name
        if dest.exists() and not overwrite:
            continue
        atomic.write_bytes(dest, src.read_bytes())
        written.append(dest)
    return written


__all__ = ["Texts", "copy_templates", "environment"]
