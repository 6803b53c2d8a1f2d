"""Run the ``secpolicy`` command as ``python -m secpolicy``."""

from __future__ import annotations

import sys

from secpolicy.cli import main

if __name__ == "__main__":
    sys.exit(main())
