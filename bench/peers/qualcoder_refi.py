"""Drive QualCoder's own REFI-QDA importer and exporter headless, and say what survived.

Not part of qualkit and not run by the tests: it needs QualCoder's source and PyQt6, which
are not qualkit dependencies. Run it with a throwaway venv:

    python -m venv /tmp/peers && /tmp/peers/bin/pip install PyQt6 pymupdf Pillow python-vlc
    git clone https://github.com/ccbogel/QualCoder /tmp/qc   # or an archive of its src/
    QT_QPA_PLATFORM=offscreen /tmp/peers/bin/python bench/peers/qualcoder_refi.py \\
        /tmp/qc/src IN.qdpx OUT_DIR

It creates a QualCoder project with the schema QualCoder's "new project" writes (read from
its source), runs RefiImport on IN.qdpx (or IN.qdc: the codebook import), prints a JSON
summary of what is in QualCoder's database (sources, codes, codings with offsets, memos,
cases, attributes, annotations), then runs RefiExport and leaves OUT_DIR/qualcoder.qdpx
(or .qdc).
Dialogs are answered by stubs: file dialogs return the paths above, message boxes close.
"""

from __future__ import annotations

import ast
import builtins
import json
import sqlite3
import sys
import traceback
from pathlib import Path
from typing import Any


def _schema(src: Path) -> list[str]:
    """The CREATE TABLE statements of QualCoder's MainWindow.new_project."""
    tree = ast.parse((src / "qualcoder" / "__main__.py").read_text(encoding="utf-8"))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "new_project":
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "execute"
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and str(call.args[0].value).startswith("CREATE TABLE")
                ):
                    out.append(str(call.args[0].value))
    return out


def _method(src: Path, name: str) -> Any:
    """A method of app.App, compiled on its own (app.py imports QualCoder's AI stack)."""
    text = (src / "qualcoder" / "app.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            module = ast.Module(body=[node], type_ignores=[])
            scope: dict[str, Any] = {
                "sqlite3": sqlite3,
                "logger": __import__("logging").getLogger("qc"),
                "speaker_coder_name": "📌 Speaker coding",
            }
            exec(compile(module, "app.py", "exec"), scope)
            return scope[name]
    raise SystemExit(f"no {name} in app.py")


class TextEdit:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def append(self, text: str) -> None:
        self.lines.append(str(text))


def main() -> int:
    src, qdpx, out = Path(sys.argv[1]), Path(sys.argv[2]).resolve(), Path(sys.argv[3]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(src))
    builtins._ = lambda s: s  # type: ignore[attr-defined]
    from PyQt6 import QtWidgets

    app_qt = QtWidgets.QApplication([])
    from qualcoder import helpers, refi

    helpers.Message.exec = lambda self: 0  # type: ignore[method-assign]
    QtWidgets.QDialog.exec = lambda self: 0  # type: ignore[method-assign]
    QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (str(qdpx), "ok"))
    QtWidgets.QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: str(out))

    project_path = out / "peer.qda"
    for sub in ("", "images", "audio", "video", "documents"):
        (project_path / sub).mkdir(parents=True, exist_ok=True)

    class App:
        update_coder_names = _method(src, "update_coder_names")
        get_last_project_coder = _method(src, "get_last_project_coder")
        get_annotations = _method(src, "get_annotations")

        def __init__(self) -> None:
            self.conn = sqlite3.connect(project_path / "data.qda")
            self.project_path = str(project_path)
            self.project_name = "peer.qda"
            self.settings = {
                "codername": "default",
                "directory": str(out),
                "ai_enable": "False",
                "fontsize": 10,
                "docfontsize": 10,
                "font": "Noto Sans",
                "showids": "False",
                "stylesheet": "original",
            }
            self.ai_models: list[Any] = []
            self.version = "QualCoder (headless)"
            self.project_events = None
            self.delete_backup = True

        def write_config_ini(self, *args: Any) -> None:
            pass

    app = App()
    cur = app.conn.cursor()
    for sql in _schema(src):
        cur.execute(sql)
    app.update_coder_names()
    cur.execute(
        "INSERT INTO project VALUES(?,?,?,?,?,?,?,?,null,null,null)",
        ("v17", "2026-01-01 00:00:00", "", app.version, 0, 0, "default", ""),
    )
    app.conn.commit()

    log = TextEdit()
    summary: dict[str, Any] = {"file": qdpx.name}
    kind = "qdc" if qdpx.suffix.lower() == ".qdc" else "qdpx"
    QtWidgets.QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: (str(out), "ok"))
    try:
        refi.RefiImport(app, log, kind)
        summary["import_error"] = None
    except Exception as exc:
        summary["import_error"] = f"{type(exc).__name__}: {exc}"
        summary["traceback"] = traceback.format_exc().splitlines()[-6:]
    summary.update(_contents(app.conn))
    if summary["import_error"] is None:
        try:
            refi.RefiExport(app, log, "codebook" if kind == "qdc" else "project")
            exported = out / ("Codebook-peer.qdc" if kind == "qdc" else "peer.qdpx")
            target = out / f"qualcoder.{kind}"
            if exported.is_file():
                exported.replace(target)
            summary["export"] = str(target) if target.is_file() else None
        except Exception as exc:
            summary["export"] = f"{type(exc).__name__}: {exc}"
    summary.pop("codings_detail")
    print(json.dumps(summary, ensure_ascii=False))
    app_qt.quit()
    return 0


def _contents(conn: sqlite3.Connection) -> dict[str, Any]:
    cur = conn.cursor()

    def rows(sql: str) -> list[Any]:
        return [list(r) for r in cur.execute(sql).fetchall()]

    sources = rows("SELECT id, name, length(fulltext), mediapath, av_text_id, memo FROM source")
    codes = rows("SELECT cid, name, supercid, catid FROM code_name")
    codings = rows(
        "SELECT code_name.name, source.name, pos0, pos1, code_text.owner, code_text.memo, seltext,"
        " substr(source.fulltext, pos0 + 1, pos1 - pos0) = seltext"
        " FROM code_text JOIN code_name USING (cid) JOIN source ON source.id = code_text.fid"
    )
    return {
        "sources": [
            {
                "name": s[1],
                "chars": s[2],
                "mediapath": s[3],
                "av_text_id": s[4],
                "memo_chars": len(s[5] or ""),
            }
            for s in sources
        ],
        "codes": len(codes),
        "categories": rows("SELECT count(*) FROM code_cat")[0][0],
        "codes_with_parent_code": sum(1 for c in codes if c[2]),
        "codings": len(codings),
        "codings_at_their_text": sum(1 for c in codings if c[7]),
        "codings_with_memo": sum(1 for c in codings if c[5]),
        "coders": sorted({c[4] for c in codings}),
        "cases": rows("SELECT name FROM cases"),
        "case_text": rows("SELECT count(*) FROM case_text")[0][0],
        "attributes": rows("SELECT name, attr_type, value FROM attribute ORDER BY attr_type, name"),
        "annotations": rows("SELECT count(*), sum(memo = '' OR memo IS NULL) FROM annotation")[0],
        "journals": rows("SELECT name FROM journal"),
        "codings_detail": [c[:6] for c in codings],
    }


if __name__ == "__main__":
    raise SystemExit(main())
