"""Hostile .qdpx archives: the REFI-QDA reader fails only with a QualkitError."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.errors import QualkitError
from qualkit.export.refi.importer import import_qdpx
from qualkit.export.refi.read import read_qdpx
from qualkit.export.refi.read_codes import read_qdc
from qualkit.project import init_project
from tests.unit import refi_hostile as h

EXAMPLES = int(os.environ.get("QUALKIT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=os.environ.get("QUALKIT_FUZZ_RANDOM") is None,
)

NS = "urn:QDA-XML:project:1.0"
_ATTR = st.sampled_from(
    ["guid", "name", "plainTextPath", "startPosition", "endPosition", "targetGUID", "isCodable"]
)
_VALUE = st.one_of(
    st.text(max_size=12),
    st.uuids().map(str),
    st.integers(-5, 10**6).map(str),
    st.just("internal://x.txt"),
    st.just("relative://../../etc/passwd"),
)
_TAG = st.sampled_from(
    [
        "CodeBook",
        "Codes",
        "Code",
        "Sources",
        "TextSource",
        "PlainTextSelection",
        "Coding",
        "CodeRef",
        "Users",
        "User",
        "Cases",
        "Variables",
        "Notes",
        "Note",
        "PlainTextContent",
        "Description",
    ]
)


def _element(depth: int = 0) -> st.SearchStrategy[str]:
    children = st.lists(_element(depth + 1), max_size=3) if depth < 3 else st.just([])
    return st.builds(
        lambda tag, attrs, kids, text: (
            f"<{tag} "
            + " ".join(
                f'{k}="{v.replace(chr(34), "")}"'.replace("<", "").replace("&", "")
                for k, v in attrs.items()
            )
            + f">{text}{''.join(kids)}</{tag}>"
        ),
        _TAG,
        st.dictionaries(_ATTR, _VALUE, max_size=4),
        children,
        st.text(alphabet="abc åäö", max_size=10),
    )


_PROJECT_XML = st.builds(
    lambda kids: (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="f">'
        + "".join(kids)
        + "</Project>"
    ),
    st.lists(_element(), max_size=4),
)
_MEMBERS = st.dictionaries(
    st.sampled_from(["project.qde", "sources/x.txt", "sources/../../evil.txt", "x", "/abs.txt"]),
    st.one_of(st.binary(max_size=300), _PROJECT_XML.map(str.encode)),
    max_size=4,
)


def _archive(members: dict[str, bytes], tmp: str) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path = Path(tmp) / "fuzz.qdpx"
    path.write_bytes(buf.getvalue())
    return path


@FUZZ
@given(members=_MEMBERS)
def test_read_qdpx_random_archives(members: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp, contextlib.suppress(QualkitError):
        read_qdpx(_archive(members, tmp))


# Each example creates a project: fewer examples keep the suite fast.
@settings(FUZZ, max_examples=max(10, EXAMPLES // 5))
@given(xml=_PROJECT_XML)
def test_import_qdpx_random_project_xml(xml: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = init_project(Path(tmp) / "p")
        try:
            import_qdpx(project, _archive({"project.qde": xml.encode()}, tmp))
        except QualkitError:
            pass
        finally:
            assert project.store.integrity_check() == "ok"
            project.close()
        # Nothing may be written outside the project folder.
        assert not (Path(tmp).parent / "evil.txt").exists()


# Seeds: hostile shapes found by hand, each of which once escaped the reader as something
# other than a QualkitError (or, for the last, as 20,000 copies of one coding).
SEEDS = {
    "utf8-flagged name": (h.bad_name_qdpx, ".qdpx"),
    "utf8-flagged name in a .docx": (h.bad_name_in_docx_qdpx, ".qdpx"),
    "corrupt deflate": (h.corrupt_deflate_qdpx, ".qdpx"),
    "corrupt lzma": (h.corrupt_lzma_qdpx, ".qdpx"),
    "code tree 200 deep": (lambda: h.deep_qdc(200), ".qdc"),
    "code tree 2500 deep": (lambda: h.deep_qdpx(2500), ".qdpx"),
    "duplicate valence GUID": (h.duplicate_valence_guid_qdpx, ".qdpx"),
    "two sources one GUID": (h.shared_source_guid_qdpx, ".qdpx"),
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_hostile_seeds_fail_only_with_a_qualkit_error(seed: str, tmp_path: Path) -> None:
    build, suffix = SEEDS[seed]
    path = h.write(tmp_path / f"seed{suffix}", build())
    with pytest.raises(QualkitError):
        (read_qdc if suffix == ".qdc" else read_qdpx)(path)


def test_repeated_selection_seed_is_read_once(tmp_path: Path) -> None:
    refi = read_qdpx(h.write(tmp_path / "many.qdpx", h.repeated_selections_qdpx(20_000)))
    assert len(refi.codings) == 1
