"""Run the conformance suite against any verifier: ``python tests/conformance/run.py OUTDIR VERIFIER...``.

OUTDIR is what ``generate.py`` wrote. For each case of ``OUTDIR/manifest.json`` the verifier runs as
``VERIFIER FILE ARGS...`` in OUTDIR; the case passes when the exit status is the expected one and every expected
reason code is printed on stdout as a line ending in `` [code]`` (and, for a valid case, none is). Prints one line per
failing case and a summary; exit 0 when every case passes. Example:

    python tests/conformance/run.py /tmp/conf python -m app.cli verify
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

CODE = re.compile(r" \[([a-z0-9_]+)\]$")


def printed_codes(stdout: str) -> set[str]:
    return {m.group(1) for line in stdout.splitlines() if (m := CODE.search(line))}


def run_case(out: Path, verifier: list[str], case: dict[str, Any], env: dict[str, str] | None = None) -> str | None:
    """Why ``case`` fails under ``verifier``, or None."""
    res = subprocess.run([*verifier, case["file"], *case["args"]], cwd=out, capture_output=True, text=True,
                         timeout=600, check=False, env=env)
    codes = printed_codes(res.stdout)
    if res.returncode != case["exit"]:
        return f"exit {res.returncode}, expected {case['exit']}: {(res.stdout + res.stderr)[-600:]}"
    if missing := set(case["codes"]) - codes:
        return f"missing codes {sorted(missing)} (printed {sorted(codes)})"
    if not case["codes"] and codes:
        return f"a valid package, but printed {sorted(codes)}"
    return None


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out, verifier = Path(argv[0]).resolve(), argv[1:]
    cases = json.loads((out / "manifest.json").read_text("utf-8"))["cases"]
    failed = 0
    for case in cases:
        why = run_case(out, verifier, case, dict(os.environ))
        if why is not None:
            failed += 1
            print(f"FAIL {case['name']}: {why}")
    print(f"{len(cases) - failed}/{len(cases)} conformance cases pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
