import sys

from qualkit.cli import main

sys.exit(main())
