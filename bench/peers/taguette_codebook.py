"""Move a codebook through Taguette's own code: import a CSV, export CSV and .qdc.

Not part of qualkit and not run by the tests (Taguette is not a qualkit dependency). Run it
with a throwaway venv: `python -m venv /tmp/peers && /tmp/peers/bin/pip install taguette`,
then

    /tmp/peers/bin/python bench/peers/taguette_codebook.py CODEBOOK.csv OUT_DIR

It does what Taguette's web handlers do, with their functions: a new project gets Taguette's
default tag ("interesting", as ProjectAdd does), the CSV is read with
taguette.import_codebook.list_tags and each tag checked with taguette.validate, as the
import-codebook form does, then the project's codebook is written with
taguette.export.codebook_csv and codebook_xml (the "Export codebook" menu). Prints JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from taguette import database, export, import_codebook, validate


def main() -> int:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "taguette.sqlite3"
    db_path.unlink(missing_ok=True)
    db = database.connect(f"sqlite:///{db_path}")()
    user = database.User(login="peer")
    db.add(user)
    project = database.Project(name="qualkit", description="")
    db.add(project)
    db.add(database.ProjectMember(project=project, user=user, privileges=database.Privileges.ADMIN))
    db.add(database.Tag(project=project, path="interesting", description="Further review required"))
    db.commit()
    result: dict[str, object] = {"file": source.name}
    try:
        with source.open("rb") as fh:
            tags = import_codebook.list_tags(fh)
    except import_codebook.InvalidCodebook as exc:
        result["import_error"] = exc.message
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 1
    errors = []
    seen = {t.path for t in project.tags}
    for tag in tags:
        try:
            validate.tag_path(tag["path"])
            validate.description(tag["description"])
        except validate.InvalidFormat as exc:
            errors.append(f"{tag['path']!r}: {exc.message}")
            continue
        if tag["path"] in seen:
            continue
        seen.add(tag["path"])
        db.add(database.Tag(project=project, path=tag["path"], description=tag["description"]))
    db.commit()
    project_tags = list(project.tags)
    with (out / "taguette_codebook.csv").open("w", newline="") as fh:
        export.codebook_csv(project_tags, fh)
    with (out / "taguette_codebook.qdc").open("wb") as fh:
        export.codebook_xml(project_tags, fh)
    result.update(
        rows_read=len(tags),
        rejected=errors,
        tags_in_project=len(project_tags),
        with_description=sum(1 for t in project_tags if t.description),
        non_ascii_intact=all("\ufffd" not in t.path for t in project_tags),
        sample=[t.path for t in project_tags[:4]],
    )
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
