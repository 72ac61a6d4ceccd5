import sys

from cdrdesk.cli import main

sys.exit(main())
