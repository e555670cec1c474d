"""README.md is a contract a newcomer follows literally: its command-line block matches every command's ``--help``
(app, app.cli, archive, archive admin), its two set-up commands are the ones .ci/run relies on, its apt line holds
.ci/run's packages, and no link in README.md or docs/ leaves the repository."""

from __future__ import annotations

import argparse
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"
TEST_COMMAND = "python3 -m pip install -e '.[dev]' && python3 -m pytest"
PROGRAMS = ("python3 -m app.cli", "python3 -m archive admin", "python3 -m archive", "python3 -m app")


def blocks_under(text: str) -> dict[str, list[str]]:
    """Fenced code blocks by the ``## `` heading they sit under."""
    out: dict[str, list[str]] = {}
    heading = ""
    for m in re.finditer(r"^## ([^\n]*)$|^```[a-z]*\n(.*?)^```$", text, flags=re.S | re.M):
        if m.group(1) is not None:
            heading = m.group(1).strip()
        else:
            out.setdefault(heading, []).append(m.group(2))
    return out


def cli_block(text: str) -> str:
    [block] = next(v for k, v in blocks_under(text).items() if k.startswith("Command line"))
    return block


def command_lines(block: str) -> list[str]:
    """One string per command; indented lines continue the one before; three spaces start a comment."""
    lines: list[str] = []
    for raw in block.splitlines():
        line = raw[: len(raw) - len(raw.lstrip())] + re.sub(r"\s{3,}.*$", "", raw.lstrip())
        if line.startswith("python3 -m "):
            lines.append(line)
        elif line.strip() and lines:
            lines[-1] += " " + line.strip()
    return lines


def parsers() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every leaf command, keyed by (program, subcommand, ...)."""
    from app.__main__ import build_parser as app_parser
    from app.cli.__main__ import build_parser as cli_parser
    from archive.cli import _admin_parser, _server_parser

    out: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(key: tuple[str, ...], p: argparse.ArgumentParser) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out[key] = p
            return
        for name, child in subs[0].choices.items():
            walk((*key, name), child)

    walk(("python3 -m app",), app_parser())
    walk(("python3 -m app.cli",), cli_parser())
    walk(("python3 -m archive",), _server_parser())
    walk(("python3 -m archive admin",), _admin_parser())
    return out


def options(p: argparse.ArgumentParser) -> dict[str, list[str]]:
    """Each option's long name -> its choices (if any)."""
    out = {}
    for a in p._actions:
        names = [o for o in a.option_strings if o not in ("-h", "--help")]
        if names:
            long = next((o for o in names if o.startswith("--")), names[0])
            out[long] = [str(c) for c in a.choices] if a.choices else []
    return out


def readme_commands(block: str) -> list[tuple[list[tuple[str, ...]], str]]:
    """(the leaf commands a line names, the line); ``a|b`` in a command word names both."""
    out = []
    for line in command_lines(block):
        program = next(p for p in PROGRAMS if line == p or line.startswith(p + " "))
        words = []
        for tok in line[len(program):].split():
            if not re.fullmatch(r"[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*", tok):
                break
            words.append(tok.split("|"))
        out.append(([(program, *combo) for combo in itertools.product(*words)], line))
    return out


def contract_problems(block: str) -> list[str]:
    known = parsers()
    problems: list[str] = []
    covered: set[tuple[str, ...]] = set()
    for keys, line in readme_commands(block):
        written = set(re.findall(r"(?<![\w-])--[a-z0-9][a-z0-9-]*", line))
        union: set[str] = set()
        for key in keys:
            name = " ".join(key)
            if key not in known:
                problems.append(f"README names `{name}`, which --help does not list")
                continue
            covered.add(key)
            opts = options(known[key])
            union |= set(opts)
            for opt in sorted(set(opts) - written):
                problems.append(f"`{name}` has {opt} (see --help); the README's line lacks it")
            for opt, choices in sorted(opts.items()):
                missing = [c for c in choices if not re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", line)]
                if missing:
                    problems.append(f"`{name} {opt}` accepts {', '.join(missing)}; the README does not list it")
        for opt in sorted(written - union):
            if any(k in known for k in keys):
                problems.append(f"README gives `{' '.join(keys[0])}` the option {opt}, which --help does not list")
    for key in sorted(set(known) - covered):
        opts = " ".join(sorted(options(known[key]))) or "no options"
        problems.append(f"README lacks a line for `{' '.join(key)}` ({opts})")
    return problems


def test_the_command_line_block_matches_every_help() -> None:
    assert contract_problems(cli_block(README.read_text("utf-8"))) == []


def test_the_contract_check_names_what_drifted() -> None:
    block = cli_block(README.read_text("utf-8"))
    drifted = (block.replace(" [--progress]", "")
               .replace("python3 -m app.cli purge PROFILE --archive URL --passphrase-file F [--retention-days D]\n",
                        "")
               .replace("devices list|revoke", "devices list|revoke|wipe")
               .replace("--lang zh_CN|en", "--lang zh_CN --colour C"))
    assert contract_problems(drifted) == [
        "`python3 -m app --lang` accepts en; the README does not list it",
        "README gives `python3 -m app` the option --colour, which --help does not list",
        "`python3 -m app.cli sync` has --progress (see --help); the README's line lacks it",
        "README names `python3 -m archive admin devices wipe`, which --help does not list",
        "README lacks a line for `python3 -m app.cli purge` (--archive --passphrase-file --retention-days)",
    ]


def _help(*args: str) -> str:
    r = subprocess.run([sys.executable, "-m", *args, "--help"], check=False, capture_output=True, text=True,
                       cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_archive_help_mentions_admin_and_admin_help_lists_every_group() -> None:
    assert "python -m archive admin" in _help("archive")
    admin = _help("archive", "admin")
    groups = {k[1] for k in parsers() if k[0] == "python3 -m archive admin"}
    undescribed = sorted(g for g in groups if not re.search(rf"^\s+{g}\s+\S", admin, flags=re.M))
    assert groups and undescribed == [], f"give these admin commands a help= text: {undescribed}"


def test_two_setup_commands_and_ci_runs_the_same() -> None:
    text = README.read_text("utf-8")
    blocks = blocks_under(text)
    install = blocks[next(k for k in blocks if k.startswith("Install and start"))]
    tests = blocks[next(k for k in blocks if k.startswith("Run the tests"))]
    assert len(install) == 1 and len(install[0].strip().splitlines()) == 1, "one install/start command"
    assert tests[0].strip() == TEST_COMMAND
    ci = CI.read_text("utf-8")
    assert re.search(r"^python3 -m pip install( -q)? -e '\.\[dev\]'$", ci, flags=re.M)
    assert re.search(r"^python3 -m pytest$", ci, flags=re.M)
    command = install[0].strip()
    assert "sudo apt-get" not in command  # root has no sudo; the line picks it
    assert "python3 -m venv .venv && . .venv/bin/activate" in command
    assert re.search(r"(?<![\w.])python (?!3)", text) is None, "python3 throughout (Debian has no `python`)"


def _apt_packages(text: str) -> set[str]:
    m = re.search(r"apt-get install(.*?)(?:&&|>/dev/null|$)", text.replace("\\\n", " "), flags=re.S | re.M)
    assert m, "no apt-get install line"
    return {w for w in m.group(1).split() if not w.startswith("-") and w != "$SUDO"}


def test_readme_installs_what_ci_installs() -> None:
    readme = _apt_packages(README.read_text("utf-8"))
    ci = _apt_packages(CI.read_text("utf-8"))
    assert sorted(ci - readme) == [], "packages .ci/run installs that the README's apt line lacks"
    assert sorted(readme - ci) == [], "packages the README installs that .ci/run lacks"
    for needed in ("poppler-utils", "libglib2.0-0", "xvfb", "postgresql", "zbar-tools", "chromium",
                   "chromium-driver", "qpdf", "python3-venv"):
        assert needed in readme


def _markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def link_problems(path: Path) -> list[str]:
    text = path.read_text("utf-8")
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        dest = (path.parent / target.split("#")[0]).resolve()
        if not dest.is_relative_to(ROOT):
            problems.append(f"{path.relative_to(ROOT)}: {target} leaves the repository")
        elif not dest.exists():
            problems.append(f"{path.relative_to(ROOT)}: {target} does not exist")
    for mention in re.findall(r"(?<![(/.\w])(?:\.\./shared/|/work/)[^\s`)]*", text):
        problems.append(f"{path.relative_to(ROOT)}: mentions {mention}, outside the repository")
    return problems


def test_no_link_leaves_the_repository() -> None:
    files = _markdown_files()
    assert len(files) >= 4
    assert [p for f in files for p in link_problems(f)] == []


def test_the_link_check_catches_a_bad_link(tmp_path: Path) -> None:
    doc = ROOT / "docs" / "probe-not-committed.md"
    try:
        doc.write_text("[a](../../shared/DOMAIN.md) [b](missing.md) [c](architecture.md) [d](https://x.org) "
                       "see `../shared/ARCHITECTURE.md`\n", encoding="utf-8")
        assert link_problems(doc) == [
            "docs/probe-not-committed.md: ../../shared/DOMAIN.md leaves the repository",
            "docs/probe-not-committed.md: missing.md does not exist",
            "docs/probe-not-committed.md: mentions ../shared/ARCHITECTURE.md, outside the repository",
        ]
    finally:
        doc.unlink()


@pytest.mark.slow
def test_the_tour_and_the_archive_walk_through_run_as_written(tmp_path: Path) -> None:
    """The README's quick tour and archive walk-through, verbatim in one bash (the archive's port swapped for a
    free one). It writes only under a fresh ``mktemp -d``, so running it again starts afresh."""
    import socket

    blocks = blocks_under(README.read_text("utf-8"))
    tour = blocks[next(k for k in blocks if k.startswith("A quick tour"))][0]
    walk = blocks[next(k for k in blocks if k.startswith("The archive, step by step"))][0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = "set -euo pipefail\n" + tour + walk.replace("8443", str(port)) + 'echo "T=$T"\n'
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    r = subprocess.run(["bash", "-c", script], check=False, capture_output=True, text=True, cwd=tmp_path,
                       env=env, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = Path(r.stdout.strip().splitlines()[-1].removeprefix("T="))
    assert out.parent == tmp_path and (out / "p1").stat().st_mode & 0o077 == 0  # the user's alone
    assert ": OK" in r.stdout  # verify --trust
    assert '"ok": true' in r.stdout  # archive admin verify
    assert "not stored" not in r.stderr
