"""The case package's ZIP container, read strictly (docs/package-format.md "ZIP rules").

Nothing in the file goes unaccounted for: the end record is the last 22 bytes (no comment, nothing after it), the
central directory ends where the end record (or the ZIP64 end record) starts, the members' local headers and data
tile the file from offset 0 up to the central directory with nothing between them, each member's local header agrees
with its central directory entry, every name is one the format defines and appears once. Sizes are checked against
the limits below before anything is read, and every member is read as a stream bounded by its declared size, so the
verifier's memory does not depend on what the package holds.

A violation raises :class:`Malformed` with a reason code; the verifier prints it as a failure line (exit 1).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from app.evidence.sealed import SealedError

MANIFEST_NAME = "fieldaudit-package.json"
JOURNAL_NAME = "journal.jsonl"
CHECKPOINTS_NAME = "checkpoints.jsonl"
_PAYLOAD_NAME = re.compile(r"payloads/([0-9a-f]{64})\.json")
_BLOB_NAME = re.compile(r"blobs/([0-9a-f]{64})")

# Limits of format version 2 (a real case is far below them: a 500-photo case has ~5,000 leaves).
MAX_MEMBERS = 200_003
MAX_CENTRAL_DIRECTORY = 32 << 20
MAX_MANIFEST = 1 << 20
MAX_JOURNAL = 128 << 20
MAX_CHECKPOINTS = 16 << 20
MAX_LEAVES = 100_000
MAX_CHECKPOINT_RECORDS = 100_000
MAX_LINE = 64 << 10
MAX_PAYLOAD = 4 << 20
MAX_PAYLOADS_TOTAL = 256 << 20  # all payloads together: the work of reading them stays bounded too
MAX_BLOB = 64 << 30
MAX_JSON_DEPTH = 32

_CHUNK = 1 << 20
_EOCD = struct.Struct("<IHHHHIIH")
_ZIP64_LOCATOR = struct.Struct("<IIQI")
_ZIP64_EOCD = struct.Struct("<IQHHIIQQQQ")
_LOCAL = struct.Struct("<IHHHHHIIIHH")


class Malformed(Exception):
    """The package breaks a rule of the container or of its members' syntax."""

    def __init__(self, code: str, what: str, why: str):
        super().__init__(f"{what}: {why}")
        self.code, self.what, self.why = code, what, why


def json_depth_problem(data: bytes, limit: int = MAX_JSON_DEPTH) -> str | None:
    """Why ``data`` (JSON text) nests arrays and objects deeper than ``limit``, or None. Brackets inside strings
    are not counted."""
    text = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", data)
    depth = deepest = 0
    for byte in text.translate(None, delete=bytes(c for c in range(256) if c not in b"[]{}")):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
        if deepest > limit:
            return f"nested deeper than {limit} levels"
    return None


@dataclass(frozen=True)
class _End:
    cd_offset: int
    cd_size: int
    entries: int


def _end_record(fh: IO[bytes], size: int) -> _End:
    what = "ZIP"
    if size < _EOCD.size:
        raise Malformed("zip_malformed", what, "the file is too short to be a ZIP archive")
    fh.seek(size - _EOCD.size)
    sig, disk, cd_disk, n_disk, n, cd_size, cd_off, comment = _EOCD.unpack(fh.read(_EOCD.size))
    if sig != 0x06054B50 or comment:
        fh.seek(max(0, size - _EOCD.size - 0xFFFF))
        tail = fh.read()
        at = tail.rfind(b"PK\x05\x06")
        if at >= 0 and at + _EOCD.size + int.from_bytes(tail[at + 20:at + 22], "little") == len(tail):
            raise Malformed("zip_slack", what, "the archive has a comment")
        raise Malformed("zip_malformed", what, "no end of central directory record at the end of the file (not a "
                                               "ZIP archive, damaged, or bytes appended)")
    end = size - _EOCD.size
    if size >= _EOCD.size + _ZIP64_LOCATOR.size:
        fh.seek(end - _ZIP64_LOCATOR.size)
        lsig, ldisk, rec_off, disks = _ZIP64_LOCATOR.unpack(fh.read(_ZIP64_LOCATOR.size))
        if lsig == 0x07064B50:
            if ldisk != 0 or disks != 1 or rec_off + _ZIP64_EOCD.size != end - _ZIP64_LOCATOR.size:
                raise Malformed("zip_slack", what, "the ZIP64 end record is not where its locator says")
            fh.seek(rec_off)
            (rsig, rsize, _made, _need, disk, cd_disk, n_disk, n, cd_size,
             cd_off) = _ZIP64_EOCD.unpack(fh.read(_ZIP64_EOCD.size))
            if rsig != 0x06064B50 or rsize != _ZIP64_EOCD.size - 12:
                raise Malformed("zip_malformed", what, "the ZIP64 end record is damaged")
            end = rec_off
    if disk != 0 or cd_disk != 0:
        raise Malformed("zip_unsupported", what, "multi-disk archives are not packages")
    if n_disk != n:
        raise Malformed("zip_malformed", what, "the end record's entry counts disagree")
    if n > MAX_MEMBERS or cd_size > MAX_CENTRAL_DIRECTORY:
        raise Malformed("member_too_large", what, f"{n} members / a central directory of {cd_size} bytes exceed the "
                                                  f"limits ({MAX_MEMBERS} / {MAX_CENTRAL_DIRECTORY})")
    if cd_off + cd_size != end:
        raise Malformed("zip_slack", what, "the central directory does not end where the end record starts")
    return _End(cd_off, cd_size, n)


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in parts
            or (len(name) > 1 and name[1] == ":"))


@dataclass(frozen=True)
class Member:
    name: str
    info: zipfile.ZipInfo
    limit: int


class PackageZip:
    """The members of a package, checked as the module docstring says. ``payloads`` and ``blobs`` map a SHA-256
    (the name) to the member."""

    def __init__(self, fh: IO[bytes]):
        fh.seek(0, 2)
        size = fh.tell()
        end = _end_record(fh, size)
        try:
            self._zip = zipfile.ZipFile(fh)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error,
                NotImplementedError) as exc:
            raise Malformed("zip_malformed", "ZIP", f"the central directory is damaged ({exc})") from exc
        if len(infos) != end.entries:
            raise Malformed("zip_malformed", "ZIP", "the central directory holds another number of entries than "
                                                    "its end record says")
        self.payloads: dict[str, Member] = {}
        self.blobs: dict[str, Member] = {}
        singles: dict[str, Member] = {}
        seen: set[str] = set()
        for info in infos:
            name = info.orig_filename
            if name in seen:
                raise Malformed("member_duplicate", name, "the package holds two members of this name")
            seen.add(name)
            if _unsafe(name):
                raise Malformed("member_unsafe_name", repr(name), "an absolute path or a path leaving the folder")
            if name == MANIFEST_NAME:
                singles[name] = Member(name, info, MAX_MANIFEST)
            elif name == JOURNAL_NAME:
                singles[name] = Member(name, info, MAX_JOURNAL)
            elif name == CHECKPOINTS_NAME:
                singles[name] = Member(name, info, MAX_CHECKPOINTS)
            elif found := _PAYLOAD_NAME.fullmatch(name):
                self.payloads[found.group(1)] = Member(name, info, MAX_PAYLOAD)
            elif found := _BLOB_NAME.fullmatch(name):
                self.blobs[found.group(1)] = Member(name, info, MAX_BLOB)
            else:
                raise Malformed("member_unknown", repr(name), "a member the package format does not define")
        for name in (MANIFEST_NAME, JOURNAL_NAME, CHECKPOINTS_NAME):
            if name not in singles:
                raise Malformed("member_missing", name, "the package lacks this member")
        self.manifest = singles[MANIFEST_NAME]
        self.journal = singles[JOURNAL_NAME]
        self.checkpoints = singles[CHECKPOINTS_NAME]
        members = [*singles.values(), *self.payloads.values(), *self.blobs.values()]
        for member in members:
            self._check_entry(member)
        total = sum(m.info.file_size for m in self.payloads.values())
        if total > MAX_PAYLOADS_TOTAL:
            raise Malformed("member_too_large", "payloads/", f"declare {total} bytes together, above the limit of "
                                                             f"{MAX_PAYLOADS_TOTAL}")
        self._check_tiling(fh, members, end)

    def close(self) -> None:
        self._zip.close()

    @staticmethod
    def _check_entry(m: Member) -> None:
        info = m.info
        if info.flag_bits & 0x1:
            raise Malformed("zip_unsupported", m.name, "encrypted members are not allowed")
        if info.volume != 0:
            raise Malformed("zip_unsupported", m.name, "a member on another disk (multi-disk archives are not "
                                                       "packages)")
        kind = (info.external_attr >> 16) & 0o170000
        if kind not in (0, 0o100000) or info.external_attr & 0x10:  # only regular files: no symlink, no directory
            raise Malformed("zip_unsupported", m.name, "a member is a regular file (not a link or a directory)")
        stored = info.compress_type == zipfile.ZIP_STORED
        if not stored and (info.compress_type != zipfile.ZIP_DEFLATED or m.name.startswith("blobs/")):
            raise Malformed("zip_unsupported", m.name, "compression method not allowed (blobs are stored, the rest "
                                                       "stored or deflated)")
        if stored and info.compress_size != info.file_size:
            raise Malformed("zip_malformed", m.name, "a stored member's sizes disagree")
        if info.file_size > m.limit:
            raise Malformed("member_too_large", m.name, f"declares {info.file_size} bytes, above the limit of "
                                                        f"{m.limit}")

    @staticmethod
    def _check_tiling(fh: IO[bytes], members: list[Member], end: _End) -> None:
        """Local headers and data from offset 0 to the central directory, member after member, nothing between."""
        pos = 0
        for m in sorted(members, key=lambda m: m.info.header_offset):
            info = m.info
            if info.header_offset != pos:
                raise Malformed("zip_slack", m.name, "bytes before this member's local header are not part of any "
                                                     "member (or members overlap)")
            fh.seek(pos)
            raw = fh.read(_LOCAL.size)
            if len(raw) != _LOCAL.size:
                raise Malformed("zip_malformed", m.name, "truncated local header")
            (sig, _need, flags, method, _t, _d, crc, csize, usize, nlen, xlen) = _LOCAL.unpack(raw)
            name = fh.read(nlen)
            if sig != 0x04034B50 or name != info.orig_filename.encode("ascii") or method != info.compress_type \
                    or flags != info.flag_bits:
                raise Malformed("zip_malformed", m.name, "the local header disagrees with the central directory")
            if not flags & 0x8 and (crc != info.CRC or csize not in (0xFFFFFFFF, info.compress_size)
                                    or usize not in (0xFFFFFFFF, info.file_size)):
                raise Malformed("zip_malformed", m.name, "the local header's CRC or sizes disagree with the central "
                                                         "directory")
            pos += _LOCAL.size + nlen + xlen + info.compress_size
            if flags & 0x8:
                pos += _descriptor_length(fh, m, pos)
        if pos != end.cd_offset:
            raise Malformed("zip_slack", "ZIP", "bytes between the last member and the central directory")


def _descriptor_length(fh: IO[bytes], m: Member, pos: int) -> int:
    """The data descriptor after a streamed member: its length, after checking it repeats the CRC and sizes."""
    fh.seek(pos)
    raw = fh.read(24)
    signed = raw[:4] == b"PK\x07\x08"
    body = raw[4:] if signed else raw
    zip64 = _local_has_zip64(fh, m)  # APPNOTE 4.3.9.2: 8-byte sizes when the local header has a ZIP64 field
    fmt = "<IQQ" if zip64 else "<III"
    need = struct.calcsize(fmt)
    if len(body) < need:
        raise Malformed("zip_malformed", m.name, "truncated data descriptor")
    crc, csize, usize = struct.unpack(fmt, body[:need])
    if (crc, csize, usize) != (m.info.CRC, m.info.compress_size, m.info.file_size):
        raise Malformed("zip_malformed", m.name, "the data descriptor disagrees with the central directory")
    return need + (4 if signed else 0)


def _extra_fields(extra: bytes) -> Iterator[tuple[int, bytes]]:
    i = 0
    while i + 4 <= len(extra):
        eid, length = struct.unpack("<HH", extra[i:i + 4])
        yield eid, extra[i + 4:i + 4 + length]
        i += 4 + length


def _local_has_zip64(fh: IO[bytes], m: Member) -> bool:
    fh.seek(m.info.header_offset)
    raw = fh.read(_LOCAL.size)
    nlen, xlen = struct.unpack("<HH", raw[26:30])
    fh.seek(m.info.header_offset + _LOCAL.size + nlen)
    return any(eid == 1 for eid, _ in _extra_fields(fh.read(xlen)))


class Reader:
    """Reads the members of a :class:`PackageZip` as bounded streams; any damage becomes :class:`Malformed`."""

    def __init__(self, package: PackageZip):
        self.package = package

    def _stream(self, m: Member) -> Iterator[bytes]:
        try:
            with self.package._zip.open(m.info) as fh:
                while chunk := fh.read(_CHUNK):
                    yield chunk
        except (zipfile.BadZipFile, EOFError, ValueError, struct.error, NotImplementedError, zlib.error,
                SealedError) as exc:  # CRC mismatch, truncated or bad deflate data, a sealed chunk altered
            raise Malformed("member_corrupt", m.name, f"cannot be read intact ({exc})") from exc

    def read(self, m: Member) -> bytes:
        """A whole member (its declared size, checked against its limit on opening, bounds it)."""
        data = b"".join(self._stream(m))
        if len(data) != m.info.file_size:
            raise Malformed("member_corrupt", m.name, "its length is not the declared size")
        return data

    def read_json(self, m: Member) -> bytes:
        data = self.read(m)
        if (why := json_depth_problem(data)) is not None:
            raise Malformed("json_too_deep", m.name, why)
        return data

    def lines(self, m: Member, max_lines: int) -> Iterator[bytes]:
        """The lines of a JSON-lines member (the last one ended by a newline or not; an empty line is returned as
        such and fails as malformed JSON), each at most :data:`MAX_LINE` bytes and nested at most
        :data:`MAX_JSON_DEPTH` levels, at most ``max_lines`` of them."""
        buf = b""
        count = 0
        for chunk in self._stream(m):
            buf += chunk
            *complete, buf = buf.split(b"\n")
            if len(buf) > MAX_LINE:
                raise Malformed("line_too_long", f"{m.name} line {count + len(complete) + 1}",
                                f"longer than {MAX_LINE} bytes")
            for line in complete:
                count += 1
                yield self._line(m, line, count, max_lines)
        if buf:
            count += 1
            yield self._line(m, buf, count, max_lines)

    @staticmethod
    def _line(m: Member, line: bytes, number: int, max_lines: int) -> bytes:
        if number > max_lines:
            raise Malformed("member_too_large", m.name, f"more than {max_lines} lines")
        if len(line) > MAX_LINE:
            raise Malformed("line_too_long", f"{m.name} line {number}", f"longer than {MAX_LINE} bytes")
        if (why := json_depth_problem(line)) is not None:
            raise Malformed("json_too_deep", f"{m.name} line {number}", why)
        return line

    def sha256(self, m: Member) -> str:
        digest = hashlib.sha256()
        for chunk in self._stream(m):
            digest.update(chunk)
        return digest.hexdigest()


def open_members(fh: IO[bytes]) -> Reader:
    return Reader(PackageZip(fh))


__all__ = ["CHECKPOINTS_NAME", "JOURNAL_NAME", "MANIFEST_NAME", "MAX_CHECKPOINT_RECORDS", "MAX_JSON_DEPTH",
           "MAX_LEAVES", "MAX_LINE", "Malformed", "Member", "PackageZip", "Reader", "json_depth_problem",
           "open_members"]
