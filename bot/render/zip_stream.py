"""A zip file written front to back, one member after the other (PKWARE's APPNOTE.TXT 6.3): each member's
CRC and sizes follow its data in a data descriptor, so nothing is sought back and a member is written as it is
made. Java's ZipOutputStream writes every deflated member this way, and so every .xlsx of Apache POI's
streaming writer: Excel, LibreOffice and every zip reader read it. A member begun as ``large`` (a sheet of any
length) carries the zip64 extension from its start, so it may pass 4 GiB; the directory takes zip64 records
only where a figure needs them.

Why not zipfile: its deflate is zlib's, and it takes no other. For the 7.5 MB of the report benchmark's sheet,
zlib takes 23 ms at level 2 where ISA-L (python-isal) takes 7 ms at its level 1, for a file a sixth larger;
on two cores those 16 ms were what the spreadsheet waited for."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO

from isal import isal_zlib

LEVEL = 1  # ISA-L's levels are 0-3; 1 is about as small as zlib's 2, several times faster
_DEFLATED = 8
_DESCRIPTOR = 0x08  # general purpose flag bit 3: the CRC and sizes follow the data
_VERSION, _VERSION_64 = 20, 45  # 2.0: deflate; 4.5: zip64
_DOS_DAY = 0x21  # 1 January 1980, the first day a zip can say: the file is the same whenever it is written
_LIMIT = 0xFFFFFFFF  # a size or an offset this large or larger is said in a zip64 field...
_COUNT_LIMIT = 0xFFFF  # ...and as many members or more are counted in the zip64 end record,
_WIDE, _WIDE_COUNT = 0xFFFFFFFF, 0xFFFF  # the figures that say so where the 4 or 2 bytes would be
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_DATA_DESCRIPTOR = struct.Struct("<IIII")
_DATA_DESCRIPTOR_64 = struct.Struct("<IIQQ")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END_64 = struct.Struct("<IQHHIIQQQQ")
_END_64_LOCATOR = struct.Struct("<IIQI")
_ZIP64_EXTRA = 0x0001


@dataclass(frozen=True)
class _Member:
    name: bytes
    large: bool
    crc: int
    compressed: int
    size: int
    where: int  # the offset of its local header


class ZipStream:
    """Members written in turn to ``out`` (a binary file, written to and never sought): ``begin``, ``write``
    as often as needed, ``end``; ``close`` writes the central directory. Not thread-safe: one thread at a
    time."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._offset = 0  # bytes written so far
        self._members: list[_Member] = []
        self._open: tuple[bytes, bool, int] | None = None  # the member being written: name, large, where
        self._compressor = None
        self._crc = self._size = self._compressed = 0

    def writestr(self, name: str, data: bytes) -> None:
        """A whole member at once."""
        self.begin(name)
        self.write(data)
        self.end()

    def begin(self, name: str, *, large: bool = False) -> None:
        """A new member; ``large``: it may pass 4 GiB (its sizes are then written on 8 bytes)."""
        if self._open is not None:
            raise ValueError("a zip member is still open")
        encoded = name.encode("ascii")  # the parts of an .xlsx have ASCII names
        # A large member's sizes are unknown here: its zip64 field says 0 and tells readers that the data
        # descriptor holds them on 8 bytes.
        extra = struct.pack("<HHQQ", _ZIP64_EXTRA, 16, 0, 0) if large else b""
        self._open = (encoded, large, self._offset)
        self._put(_LOCAL.pack(0x04034B50, _VERSION_64 if large else _VERSION, _DESCRIPTOR, _DEFLATED, 0, _DOS_DAY,
                              0, 0, 0, len(encoded), len(extra)) + encoded + extra)
        self._compressor = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, -15)  # raw deflate, as zip wants
        self._crc = self._size = self._compressed = 0

    def write(self, data: bytes) -> None:
        self._crc = isal_zlib.crc32(data, self._crc)
        self._size += len(data)
        self._deflated(self._compressor.compress(data))

    def end(self) -> None:
        self._deflated(self._compressor.flush())
        name, large, where = self._open
        if large:
            self._put(_DATA_DESCRIPTOR_64.pack(0x08074B50, self._crc, self._compressed, self._size))
        elif max(self._size, self._compressed) >= _LIMIT:
            raise ValueError(f"the zip member {name.decode()} passed 4 GiB without being begun as large")
        else:
            self._put(_DATA_DESCRIPTOR.pack(0x08074B50, self._crc, self._compressed, self._size))
        self._members.append(_Member(name, large, self._crc, self._compressed, self._size, where))
        self._open = self._compressor = None

    def close(self) -> None:
        """The central directory: the zip is complete (``out`` itself stays open)."""
        if self._open is not None:
            raise ValueError("a zip member is still open")
        start = self._offset
        for member in self._members:
            self._put(_central(member))
        size, count = self._offset - start, len(self._members)
        if max(start, size) >= _LIMIT or count >= _COUNT_LIMIT:
            end_64 = self._offset
            self._put(_END_64.pack(0x06064B50, _END_64.size - 12, _VERSION_64, _VERSION_64, 0, 0, count, count,
                                   size, start))
            self._put(_END_64_LOCATOR.pack(0x07064B50, 0, end_64, 1))
        count = _WIDE_COUNT if count >= _COUNT_LIMIT else count
        self._put(_END.pack(0x06054B50, 0, 0, count, count, _narrow(size), _narrow(start), 0))

    def _deflated(self, data: bytes) -> None:
        self._compressed += len(data)
        self._put(data)

    def _put(self, data: bytes) -> None:
        if data:
            self._out.write(data)
            self._offset += len(data)


def _central(member: _Member) -> bytes:
    """A member's entry in the central directory: a figure too large for its 4 bytes is _WIDE there, and
    said in the zip64 field, in the order APPNOTE gives (size, compressed size, offset)."""
    wide = [value for value in (member.size, member.compressed, member.where) if value >= _LIMIT]
    extra = struct.pack(f"<HH{len(wide)}Q", _ZIP64_EXTRA, 8 * len(wide), *wide) if wide else b""
    return _CENTRAL.pack(0x02014B50, _VERSION_64, _VERSION_64 if member.large or wide else _VERSION, _DESCRIPTOR,
                         _DEFLATED, 0, _DOS_DAY, member.crc, _narrow(member.compressed), _narrow(member.size),
                         len(member.name), len(extra), 0, 0, 0, 0, _narrow(member.where)) + member.name + extra


def _narrow(value: int) -> int:
    """A figure for a 4-byte field: itself, or the mark that the zip64 record holds it."""
    return _WIDE if value >= _LIMIT else value
