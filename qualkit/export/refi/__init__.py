"""REFI-QDA exchange (.qdpx projects, .qdc codebooks) and CSV codebooks for other QDA tools.

Reading and writing apart, one layer each:

* `constants` and `records`: what both sides share (namespaces, the valence sub-code
  convention, the parsed records).
* `archive`, `text`, `xmlread`, `read_codes`, `read`: parsing other tools' files, leniently
  and safely, with no project in sight (pure logic).
* `guids`, `xmlwrite`, `codebook_write`, `sources`, `write`: writing a project's files.
* `import_codes`, `importer`, `codebook_csv`: mapping parsed files onto a project.

docs/refi-qda.md has the user-facing conventions.
"""
