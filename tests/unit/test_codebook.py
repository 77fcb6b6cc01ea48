from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.codebook import load_codebook, parse_codebook, shipped_codebooks, to_yaml
from qualkit.errors import CodebookError

SHIPPED = Path(__file__).resolve().parents[2] / "qualkit" / "codebooks"

DANERMARK_IDS = [
    "ledning",
    "arbetsstruktur",
    "stabila_org",
    "kunskap_respekt",
    "malgrupper_mal",
    "forum_beslut",
    "individ",
    "kunskap_samverkan",
]


def test_danermark_has_stable_ids_hotkeys_and_labels() -> None:
    book = load_codebook(SHIPPED / "danermark.yaml")
    assert [c.key for c in book.codes] == DANERMARK_IDS
    assert [c.hotkey for c in book.codes] == [str(i) for i in range(1, 9)]
    for code in book.codes:
        assert code.label_sv and code.label_en
        assert len(code.description.split()) >= 40, code.key  # rich enough to recognise


def test_all_shipped_codebooks_load() -> None:
    ids = {load_codebook(p).id for p in shipped_codebooks()}
    assert {
        "danermark",
        "socialstyrelsen",
        "hinder",
        "integrationsnivaer",
        "perspektiv",
        "sjalvvardering",
    } <= ids


def test_sjalvvardering_is_a_three_by_three_grid() -> None:
    book = load_codebook(SHIPPED / "sjalvvardering.yaml")
    rows = book.children(None)
    assert [r.key for r in rows] == ["deltagare", "personal", "organisation"]
    assert all(len(book.children(r.key)) == 3 for r in rows)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "id: x\nname: X\ncodes:\n  - id: a\n    label_sv: A\n  - id: a\n    label_sv: B\n",
            "line 6: code id 'a' is used twice (first at line 4)",
        ),
        ("id: x\nname: X\ncodes:\n  - id: a\n    lable_sv: A\n", "line 5: unknown key 'lable_sv'"),
        ("id: x\nname: X\ncodes:\n  - id: a\n", "line 4: code 'a' has no 'label_sv'"),
        ("id: x\nname: X\ncodes: [\n", "not valid YAML"),
        (
            "id: x\nname: X\ncodes:\n  - id: a\n    label_sv: A\n    parent: zz\n",
            "names parent 'zz'",
        ),
        (
            "id: x\nname: X\ncodes:\n  - id: a\n    label_sv: A\n    colour: red\n",
            "line 6: colour 'red'",
        ),
        ("id: X Y\nname: X\ncodes: []\n", "line 1: codebook id 'X Y'"),
        ("", "the file is empty"),
        ("id: x\nname: X\n", "has no 'codes'"),
        (
            "id: x\nname: X\ncodes:\n  - id: a\n    label_sv: A\n    hotkey: '1'\n"
            "  - id: b\n    label_sv: B\n    hotkey: '1'\n",
            "hotkey '1' is already used by 'a'",
        ),
    ],
)
def test_malformed_codebooks_name_file_line_and_problem(text: str, fragment: str) -> None:
    with pytest.raises(CodebookError) as err:
        parse_codebook(text, "codebook/bad.yaml")
    assert "codebook/bad.yaml" in str(err.value)
    assert fragment in str(err.value)


def test_yaml_round_trip_keeps_hierarchy() -> None:
    book = load_codebook(SHIPPED / "sjalvvardering.yaml")
    again = parse_codebook(to_yaml(book))
    assert again == book


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="no such codebook file"):
        load_codebook(tmp_path / "nope.yaml")
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("id: x\nname: \xe5\n".encode("latin-1"))
    with pytest.raises(CodebookError, match="line 2: not UTF-8"):
        load_codebook(bad)


def test_api_edit_changes_only_the_lines_it_touches(tmp_path: Path) -> None:
    import difflib
    import shutil

    from qualkit.model import Code
    from qualkit.project import init_project

    project = init_project(tmp_path / "p")
    path = project.codebook_dir / "danermark.yaml"
    shutil.copy(SHIPPED / "danermark.yaml", path)
    before = path.read_text(encoding="utf-8").splitlines()
    project.rename_code("danermark", "individ", label_sv="Fokus på individens behov")
    project.add_code(Code("danermark", "mandat", "Mandat", parent="ledning"))
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [
        ln
        for ln in difflib.unified_diff(before, after, lineterm="", n=0)
        if ln[:1] in "+-" and not ln.startswith(("+++", "---"))
    ]
    assert len(changed) <= 6, changed
    project.close()


def test_english_title_of_a_copy_made_before_codebooks_had_one() -> None:
    from dataclasses import replace

    from qualkit.codebook import shipped_codebook, title

    shipped = shipped_codebook("danermark")
    assert shipped is not None and shipped.name_en
    old_copy = replace(shipped, name_en="")  # a project's codebook/ file from before name_en
    assert title(old_copy, "en") == shipped.name_en
    assert title(old_copy, "sv") == shipped.name
    renamed = replace(old_copy, name="Våra faktorer")  # the project's own name is kept
    assert title(renamed, "en") == "Våra faktorer"
