"""qualkit: transcribe, diarise and code Swedish focus-group interviews, offline."""

# First of all: switch every dependency to offline mode before any of them is imported.
import qualkit.offline

from qualkit.errors import QualkitError, exit_interrupted, started_as_command  # isort: skip

# Importing the project's layers takes a moment; a Ctrl-C then ends the `qualkit` command
# with its one line, as it does later (a program importing qualkit gets the interrupt).
try:
    # Then: every log record of the process is redacted, whichever logger makes it.
    import qualkit.log  # noqa: F401  isort: skip

    from qualkit.project import Project, init_project, open_project
    from qualkit.version import __version__
except KeyboardInterrupt:
    if not started_as_command():
        raise
    exit_interrupted()

__all__ = ["Project", "QualkitError", "__version__", "init_project", "open_project"]
