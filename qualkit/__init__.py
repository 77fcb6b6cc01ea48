"""qualkit: transcribe, diarise and code Swedish focus-group interviews, offline."""

# First of all: switch every dependency to offline mode before any of them is imported.
import qualkit.offline

# Then: every log record of the process is redacted, whichever logger makes it.
import qualkit.log  # noqa: F401  isort: skip

from qualkit.errors import QualkitError
from qualkit.project import Project, init_project, open_project
from qualkit.version import __version__

__all__ = ["Project", "QualkitError", "__version__", "init_project", "open_project"]
