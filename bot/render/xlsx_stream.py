"""A spreadsheet written as it is read: the few parts of an .xlsx (Office Open XML, ECMA-376 part 1) that one
sheet of texts, numbers and dates needs. The sheet's rows go into the zip (bot.render.zip_stream) as they come,
compressed on a thread of their own while the next rows are put together.

Why not openpyxl for this sheet: the answers of a whole programme are tens of thousands of rows, and openpyxl's
write-only mode builds an object and an XML element for every cell, 3.5 s for the 225,000 cells of
bench/report.py. Here a row is one string. openpyxl still writes the small /attendees sheet, and the tests read
every file written here back with it.

The caller builds each row with the cell functions below (``cell_*``), in column order: a cell's reference is
optional in the format (ECMA-376 part 1, 18.3.1.4), each cell is the next column, and EMPTY holds a gap; so is
a row's (18.3.1.73), each row is the next one. A text that looks like a formula is stored as text with Excel's
quote prefix, so it is shown and never run."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from os import PathLike
from typing import IO

from bot.render.zip_stream import ZipStream

# Cell styles: their order in styles.xml's cellXfs.
PLAIN, BOLD, DATE, DATE_TIME, QUOTED = range(5)
DATE_FORMAT = "yyyy-mm-dd"
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"  # a format code: Excel shows it the same in every language
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
EMPTY = "<c/>"  # a cell with nothing in it, holding its column
CHUNK = 1 << 18  # characters of sheet XML handed to the compressing thread at a time
_EPOCH = date(1899, 12, 30)  # Excel's day 0 (for every date after 1 March 1900)
_EXCEL_CODE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")  # how Excel writes a character XML cannot hold: _x0001_
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed anywhere in XML 1.0

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
<Override PartName="/xl/sharedStrings.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\
</Types>"""
_ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PACKAGE_REL}">\
<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PACKAGE_REL}">\
<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>\
<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_MAIN}">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>\
<numFmt numFmtId="165" formatCode="{DATE_TIME_FORMAT}"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def xml_text(text: str) -> str:
    """Text as a spreadsheet's character data: escaped, without the control characters XML cannot hold, a
    carriage return kept as one (a raw one would be read as a line feed, XML 1.0 2.11), and an underscore
    before "xHHHH_" escaped, or Excel would read the six characters as the one they code (ECMA-376 part 1,
    22.9.2.19)."""
    printable = text.isprintable()  # a quick pass for most texts: no control character to look for
    if not printable and _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if "_x" in text:  # after the removal, which could join an underscore to "xHHHH_"
        text = _EXCEL_CODE.sub("_x005F_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text if printable else text.replace("\r", "&#13;")


def cell_text(text: str) -> str:
    """A text stored in the cell itself (an answer: seldom repeated)."""
    style = f' s="{QUOTED}"' if text.startswith(FORMULA_LEADS) else ""
    return f'<c{style} t="inlineStr"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'


def cell_shared(index: int, style: int = PLAIN) -> str:
    """A text from the shared strings (a label repeated down a column), by its index."""
    styled = f' s="{style}"' if style else ""
    return f'<c{styled} t="s"><v>{index}</v></c>'


def cell_number(value: int | float) -> str:
    return f"<c><v>{value}</v></c>"


def cell_day(day: date) -> str:
    return f'<c s="{DATE}"><v>{(day - _EPOCH).days}</v></c>'


class SheetWriter:
    """One sheet, its first row frozen as the header, written to ``out`` (a path or a binary file). A failure
    anywhere (the disk full, say) is the error raised, with the thread stopped and the file closed."""

    def __init__(self, out: str | PathLike | IO[bytes], name: str, widths: Sequence[float]) -> None:
        # A path is opened here, so that a failure can always close it (a zip abandoned half-way is just
        # left unfinished).
        self._own = open(out, "wb") if isinstance(out, str | PathLike) else None  # noqa: SIM115
        self._strings: dict[str, int] = {}
        self._pending: list[str] = []
        self._pending_size = 0
        self._sent: list[Future] = []
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx")
        try:
            self._zip = ZipStream(self._own or out)
            for part, xml in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                              ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES),
                              ("xl/workbook.xml", _workbook(name))):
                self._zip.writestr(part, xml.encode())
            self._zip.begin("xl/worksheets/sheet1.xml", large=True)
        except BaseException:
            self._abandon()
            raise
        columns = "".join(f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
                          for n, width in enumerate(widths, start=1))
        self.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
                   f'xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                   f'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                   f'<sheetFormatPr defaultRowHeight="15"/><cols>{columns}</cols><sheetData>')

    def shared(self, text: str) -> int:
        """The index of a text in the shared strings, added on first use."""
        index = self._strings.get(text)
        if index is None:
            index = self._strings[text] = len(self._strings)
        return index

    def write(self, xml: str) -> None:
        """Sheet XML (rows), handed to the compressing thread a chunk at a time."""
        self._pending.append(xml)
        self._pending_size += len(xml)
        if self._pending_size >= CHUNK:
            self._send()

    def _send(self) -> None:
        data = "".join(self._pending).encode("utf-8")
        self._pending, self._pending_size = [], 0
        waiting = []
        for sent in self._sent:  # one pass: a chunk whose write ends meanwhile is still looked at next time
            if sent.done():
                sent.result()  # a chunk that could not be written fails the file now, never silently
            else:
                waiting.append(sent)
        self._sent = waiting
        if len(self._sent) > 8:  # no more than a few chunks waiting: memory stays flat however long the sheet
            self._sent.pop(0).result()
        self._sent.append(self._worker.submit(self._zip.write, data))

    def close(self) -> None:
        """The end of the sheet and the shared strings; the file is complete once this returns."""
        try:
            self.write("</sheetData></worksheet>")
            self._send()
            for sent in self._sent:
                sent.result()
            self._zip.end()
            strings = "".join(f'<si><t xml:space="preserve">{xml_text(s)}</t></si>' for s in self._strings)
            self._zip.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                               f'<sst xmlns="{_MAIN}" count="{len(self._strings)}" '
                               f'uniqueCount="{len(self._strings)}">{strings}</sst>'.encode())
            self._zip.close()
        except BaseException:
            self._abandon()
            raise
        self._worker.shutdown()
        if self._own is not None:
            self._own.close()

    def _abandon(self) -> None:
        """After a failure: stop the thread and close what is open; the failure itself is what is raised."""
        self._worker.shutdown(cancel_futures=True)
        if self._own is not None:
            with contextlib.suppress(Exception):
                self._own.close()

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(self, *failure: object) -> None:
        if failure[0] is None:
            self.close()
        else:  # the file is not worth finishing
            self._abandon()


def _workbook(name: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><bookViews><workbookView/></bookViews><sheets>'
            f'<sheet name="{xml_text(name[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>')
