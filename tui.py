"""Start the coding app: python tui.py [PROJECT] [--coder NAME] [--blind] [--lang sv|en]."""

import sys

from qualkit.tui.app import main

if __name__ == "__main__":
    sys.exit(main())
