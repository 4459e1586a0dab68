"""The zip written front to back under the spreadsheet: every zip reader must read what it writes."""

import io
import random
import zipfile

import pytest

from bot.render.zip_stream import ZipStream


class WriteOnly(io.RawIOBase):
    """A destination that can only be written to (a pipe, say): the zip must never seek back."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self.data += data
        return len(data)


def _zip(members: dict[str, list[bytes]], out: io.RawIOBase | io.BytesIO) -> None:
    writer = ZipStream(out)
    for name, pieces in members.items():
        writer.begin(name)
        for piece in pieces:
            writer.write(piece)
        writer.end()
    writer.close()


def test_every_member_reads_back_whole_with_its_crc_checked() -> None:
    rng = random.Random(3)
    text = "".join(rng.choice(["<row>", "<c t=\"s\"><v>3</v></c>", "è più perché ", "\n"]) for _ in range(60_000))
    noise = rng.randbytes(200_000)  # does not compress: the deflated member is larger than the data
    members = {"[Content_Types].xml": [b"<Types/>"], "empty.xml": [], "xl/worksheets/sheet1.xml":
               [text[n:n + 7000].encode() for n in range(0, len(text), 7000)], "noise.bin": [noise[:1], noise[1:]]}
    out = WriteOnly()
    _zip(members, out)
    with zipfile.ZipFile(io.BytesIO(bytes(out.data))) as read:
        assert read.testzip() is None  # every CRC matches
        assert read.namelist() == list(members)
        for name, pieces in members.items():
            assert read.read(name) == b"".join(pieces)
        assert read.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_DEFLATED
        assert read.getinfo("xl/worksheets/sheet1.xml").compress_size < len(text) / 3


def test_the_same_members_make_the_same_bytes() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    for out in (first, second):
        _zip({"a.xml": [b"<a/>"], "b.xml": [b"<b>", b"</b>"]}, out)
    assert first.getvalue() == second.getvalue()


def test_members_cannot_overlap_and_the_directory_waits_for_the_last() -> None:
    writer = ZipStream(io.BytesIO())
    writer.begin("a.xml")
    with pytest.raises(ValueError, match="still open"):
        writer.begin("b.xml")
    with pytest.raises(ValueError, match="still open"):
        writer.close()
