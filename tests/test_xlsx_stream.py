"""The spreadsheet writer when the file cannot be written: the error that happened is the one raised (never a
file reported written that is broken), its thread stops, and the file is closed."""

from __future__ import annotations

import io
import threading
import zipfile

import openpyxl
import pytest

from bot.render.xlsx_stream import CHUNK, SheetWriter, cell_number, cell_text


class Failing(io.BytesIO):
    """A file whose ``fail_at``-th write fails (the disk full); ``once``: only that one (a passing glitch)."""

    def __init__(self, fail_at: int, *, once: bool = False) -> None:
        super().__init__()
        self.writes = 0
        self.fail_at = fail_at
        self.once = once

    def write(self, data: bytes) -> int:
        self.writes += 1
        if self.writes == self.fail_at or (not self.once and self.writes > self.fail_at):
            raise OSError(28, "No space left on device")
        return super().write(data)


def _write(out, rows: int = 8000) -> None:
    with SheetWriter(out, "Answers", [12, 40]) as sheet:
        for n in range(rows):
            sheet.write(f'<row r="{n + 1}">{cell_number(n)}{cell_text("an idea to take home " * 3)}</row>')


def _threads() -> int:
    return sum(thread.name.startswith("xlsx") for thread in threading.enumerate())


def test_a_sheet_is_written_whole() -> None:
    out = io.BytesIO()
    _write(out)
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    assert len(sheet) > 2 * CHUNK and sheet.endswith(b"</sheetData></worksheet>") and _threads() == 0


@pytest.mark.parametrize("fail_at", [3, 6, 12])
def test_a_full_disk_is_the_error_raised(fail_at: int) -> None:
    with pytest.raises(OSError, match="No space left"):
        _write(Failing(fail_at))
    assert _threads() == 0, "the compressing thread stopped"


def test_one_write_that_failed_fails_the_file() -> None:
    """A passing glitch on the compressing thread: the writes after it work, and the file would be broken."""
    failed = threading.Event()

    class Glitch(io.BytesIO):
        def write(self, data: bytes) -> int:
            if not failed.is_set() and self.tell() > 5000:
                failed.set()
                raise OSError(5, "Input/output error")
            return super().write(data)

    row = f'<row>{cell_text("an idea to take home " * 3)}</row>'
    with pytest.raises(OSError, match="Input/output"), SheetWriter(Glitch(), "Answers", [40]) as sheet:
        while not failed.is_set():  # until the thread meets the glitch
            sheet.write(row)
        for _ in range(6 * CHUNK // len(row)):  # then more of the sheet, in several chunks
            sheet.write(row)
    assert _threads() == 0


def test_a_path_is_closed_after_a_failure(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = []
    real_open = open

    def watched(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        opened.append(handle)
        return handle
    monkeypatch.setattr("builtins.open", watched)
    with pytest.raises(RuntimeError), SheetWriter(str(tmp_path / "answers.xlsx"), "Answers", [12]) as sheet:
        sheet.write("<row/>")
        raise RuntimeError("the database went away")
    assert opened and all(handle.closed for handle in opened)


def test_texts_read_back_as_written_in_excel_too() -> None:
    """A carriage return stays one (a raw one is read as a line feed), and a text that looks like Excel's own
    code for a character (_x0041_ is "A" to Excel) is escaped so that Excel shows it as typed."""
    out = io.BytesIO()
    texts = ["two\r\nlines", "\rfirst", "_x0041_ and _x00e8_", "<b> & </b>", "bell\x07", "plain_x_text",
             "_\x01x0042_"]
    with SheetWriter(out, "Answers", [40]) as sheet:
        for text in texts:
            sheet.write(f"<row>{cell_text(text)}</row>")
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "_x005F_x0041_ and _x005F_x00e8_" in xml and "plain_x_text" in xml
    read = [row[0] for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True)]
    # openpyxl does not decode Excel's _xHHHH_: it shows the escape itself, where Excel shows the text.
    assert read == ["two\r\nlines", "\rfirst", "_x005F_x0041_ and _x005F_x00e8_", "<b> & </b>", "bell",
                    "plain_x_text", "_x005F_x0042_"]
