"""Shared pieces of the CLI: passphrase files, opening a profile, one-line errors."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from app.errors import FieldAuditError, UserError
from app.iofaults import io_fault
from app.models.profile import Profile, Store

Handler = Callable[[argparse.Namespace], int]


def read_passphrase(path: str) -> str:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取口令文件：{path}", f"Cannot read the passphrase file: {path}") from exc
    try:
        text = raw.decode("utf-8-sig")  # Windows editors may save UTF-8 with a byte-order mark
    except UnicodeDecodeError as exc:
        raise UserError(f"口令文件不是 UTF-8 文本：{path}", f"The passphrase file is not UTF-8: {path}") from exc
    text = text.rstrip("\r\n")
    if not text:
        raise UserError(f"口令文件为空：{path}", f"The passphrase file is empty: {path}")
    return text


def open_store(profile_dir: str, passphrase_files: Sequence[str], *, integrity_check: bool = True,
               need: int = 1) -> Store:
    """Unlock with the first passphrase; every further file unlocks another inspector for signing."""
    if len(passphrase_files) < need:
        raise UserError(
            f"此命令需要 {need} 名检查人员各自的口令文件（--passphrase-file）。",
            f"This command needs {need} inspectors' passphrase files (--passphrase-file).",
        )
    profile = Profile.open(Path(profile_dir))
    passphrases = [read_passphrase(f) for f in passphrase_files]
    store = profile.unlock(passphrases[0], integrity_check=integrity_check)
    try:
        for p in passphrases[1:]:
            store.unlock_inspector(p)
        if len(set(store.unlocked_inspectors())) < need:
            raise UserError("需要两名不同检查人员的口令。", "Two different inspectors' passphrases are needed.")
    except BaseException:
        store.close()
        raise
    return store


def add_passphrase_arg(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    p.add_argument("--passphrase-file", action="append", default=[], required=required, metavar="F",
                   help="file holding an inspector's passphrase (repeat for a second inspector)")


def is_user_facing(exc: BaseException) -> bool:
    """FieldAuditError, or any error that carries its own translated messages (e.g. ValidationError)."""
    return isinstance(exc, FieldAuditError) or (hasattr(exc, "message_zh") and hasattr(exc, "message_en"))


def error_line(exc: BaseException) -> str:
    if is_user_facing(exc):
        return f"错误：{getattr(exc, 'message_zh', '')} | error: {getattr(exc, 'message_en', '')}"
    return f"内部错误（{type(exc).__name__}），未写出任何案件数据。| internal error ({type(exc).__name__}); no case data was written"


def output_fault(exc: BaseException, out: str | None) -> UserError | None:
    """An --out path that cannot be a file (a folder, under a file, in /proc): the user's to fix, not a bug."""
    if not out:
        return None
    target = Path(out).absolute()
    seen: BaseException | None = exc
    for _ in range(8):  # the chain of causes, which is short
        if seen is None:
            return None
        if isinstance(seen, OSError) and isinstance(seen.filename, str):
            named = Path(seen.filename).absolute()
            if named == target or named in target.parents or named.parent == target.parent:
                return UserError(f"无法写入输出文件：{out}（{seen.strerror}）。请换一个文件路径。",
                                 f"Cannot write the output file {out} ({seen.strerror}); choose another path.")
        seen = seen.__cause__ or seen.__context__
    return None


def check_out_of_profile(args: argparse.Namespace) -> None:
    """An --out inside the profile folder would replace the encrypted store, the keyslots or a blob (a typo away:
    ``--out PROFILE/store.db`` destroyed every case)."""
    profile, out = getattr(args, "profile", None), getattr(args, "out", None)
    if not profile or not out:
        return
    root, target = Path(profile).resolve(), Path(out).resolve()
    if target == root or root in target.parents:
        raise UserError(f"输出文件不能放在档案目录内：{out}（会覆盖加密数据）。请换一个位置。",
                        f"The output file cannot be inside the profile folder: {out} (it would overwrite the "
                        "encrypted data). Choose another place.")


def run(handler: Handler, args: argparse.Namespace) -> int:
    try:
        check_out_of_profile(args)
        return handler(args)
    except KeyboardInterrupt:
        print("已中断 | interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # user errors: exit 2; bugs: one line, never a traceback with case data, exit 3
        if not is_user_facing(exc):
            profile = getattr(args, "profile", None)
            fault: FieldAuditError | None = io_fault(exc, Path(profile) if profile else None)  # not a bug
            if fault is None:
                fault = output_fault(exc, getattr(args, "out", None))
            if fault is not None:
                fault.__cause__ = exc
                exc = fault
        print(error_line(exc), file=sys.stderr)
        if os.environ.get("FIELDAUDIT_DEBUG") == "1":
            traceback.print_exc()
        return 2 if is_user_facing(exc) else 3
