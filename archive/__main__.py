"""``python -m archive --data DIR [--database-url URL] [--host H] [--port P]`` runs the archive;
``python -m archive admin …`` administers it. Errors: one line on stderr and a non-zero exit."""

from __future__ import annotations

import sys

from archive.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
