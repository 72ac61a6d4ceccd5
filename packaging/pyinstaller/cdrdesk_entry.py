"""Entry point of the bundled ``cdrdesk`` executable: the command line and the window."""

import sys

from cdrdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
