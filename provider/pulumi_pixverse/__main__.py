"""`python -m pulumi_pixverse adopt --stack NAME [--dry-run]` (see pulumi_pixverse.adopt)."""

import sys

from .adopt import main

sys.exit(main())
