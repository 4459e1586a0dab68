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


def test_past_the_four_byte_figures_the_zip64_records_take_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a sheet past 4 GiB, or a zip of 65,535 members, needs: the limits are made small here, so that
    the zip64 fields are written for a few kilobytes and read back by zipfile."""
    import bot.render.zip_stream as zip_stream
    monkeypatch.setattr(zip_stream, "_LIMIT", 3000)
    monkeypatch.setattr(zip_stream, "_COUNT_LIMIT", 5)
    sheet = random.Random(5).randbytes(10_000)  # stays larger than 3,000 bytes once deflated
    out = io.BytesIO()
    writer = ZipStream(out)
    writer.begin("xl/worksheets/sheet1.xml", large=True)
    writer.write(sheet)
    writer.end()
    for n in range(6):  # offsets past the limit, and more members than the small count holds
        writer.writestr(f"part{n}.xml", b"<p/>" * n)
    writer.close()
    with zipfile.ZipFile(out) as read:
        assert read.testzip() is None
        assert len(read.namelist()) == 7
        assert read.read("xl/worksheets/sheet1.xml") == sheet
        assert [read.read(f"part{n}.xml") for n in range(6)] == [b"<p/>" * n for n in range(6)]


def test_a_member_not_begun_as_large_cannot_pass_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.render.zip_stream as zip_stream
    monkeypatch.setattr(zip_stream, "_LIMIT", 3000)
    writer = ZipStream(io.BytesIO())
    writer.begin("big.bin")
    writer.write(random.Random(5).randbytes(10_000))
    with pytest.raises(ValueError, match="4 GiB"):
        writer.end()
