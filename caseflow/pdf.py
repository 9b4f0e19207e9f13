"""A small, well-formed PDF writer for reports of headings, paragraphs and tables.

Why not a library: the board's PDF of a signed summary is text and tables only, and no PDF library
is a dependency. A browser (Chromium's print-to-PDF) would need a browser on the server; reportlab
or fpdf2 would add a dependency for a few pages of Helvetica. This writer uses the PDF standard
fonts (Helvetica, Helvetica-Bold; WinAnsiEncoding, so nothing is embedded), measures text with
Helvetica's published widths to wrap and fit it, and writes one content stream per page with a
correct cross-reference table (PDF 1.4). Characters outside Windows-1252 are written as their
nearest plain equivalent.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext

PAGE_W, PAGE_H = 612, 792  # US Letter, points
MARGIN = 54
# Helvetica advance widths (per 1000 em) for ASCII 32..126, from the Adobe AFM.
_WIDTHS = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]  # fmt: skip
_PLAIN = {"\u2212": "-", "\u2192": "->", "\u2190": "<-", "\u2264": "<=", "\u2265": ">=", "\u2011": "-"}


def _clean(text: str) -> str:
    text = "".join(_PLAIN.get(ch, ch) for ch in str(text))
    return text.encode("cp1252", "replace").decode("cp1252")


def text_width(text: str, size: float, bold: bool = False) -> float:
    units = sum(_WIDTHS[ord(ch) - 32] if 32 <= ord(ch) < 127 else 556 for ch in text)
    return units * size / 1000 * (1.05 if bold else 1.0)


def _fit(text: str, width: float, size: float, bold: bool = False) -> str:
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "...", size, bold) > width:
        text = text[:-1]
    return text + "..."


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    lines: list[str] = []
    for paragraph in _clean(text).splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size, bold) <= width:
                line = candidate
            else:
                if line:
                    lines.append(line)
                line = _fit(word, width, size, bold)
        lines.append(line)
    return lines


def _escape(text: str) -> bytes:
    raw = _clean(text).encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


@dataclass
class Document:
    """Flowing content on Letter pages: `heading`, `paragraph`, `table`; `render()` gives the bytes."""

    title: str = ""
    footer: str = ""
    pages: list[list[bytes]] = field(default_factory=list)
    y: float = 0.0

    def __post_init__(self):
        self._new_page()

    @property
    def width(self) -> float:
        return PAGE_W - 2 * MARGIN

    def _new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - MARGIN

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN + 18:
            self._new_page()

    def _text(self, x: float, y: float, text: str, size: float, bold: bool = False) -> None:
        font = b"F2" if bold else b"F1"
        self.pages[-1].append(b"BT /%s %.1f Tf %.2f %.2f Td (%s) Tj ET" % (font, size, x, y, _escape(text)))

    def _rule(self, y: float, x0: float = MARGIN, x1: float = PAGE_W - MARGIN, grey: float = 0.6) -> None:
        self.pages[-1].append(b"%.2f G 0.5 w %.2f %.2f m %.2f %.2f l S 0 G" % (grey, x0, y, x1, y))

    def new_page(self) -> None:
        """Start the next content on a fresh page (a report's section per page)."""
        if self.pages[-1]:
            self._new_page()

    def heading(self, text: str, size: float = 13) -> None:
        self._room(size * 3.2)  # never a heading alone at the foot of a page
        self.y -= size * 0.6
        for line in wrap(text, self.width, size, True):
            self.y -= size * 1.25
            self._text(MARGIN, self.y, line, size, True)
        self.y -= 4

    def paragraph(self, text: str, size: float = 10, bold: bool = False) -> None:
        for line in wrap(text, self.width, size, bold):
            self._room(size * 1.4)
            self.y -= size * 1.4
            self._text(MARGIN, self.y, line, size, bold)
        self.y -= 4

    def table(self, header: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float], size: float = 9) -> None:
        """Columns of the given relative widths; numbers are right-aligned; long cells are cut with "..."."""
        total = sum(widths)
        cols = [w / total * self.width for w in widths]
        line_h = size * 1.45

        def draw(cells: Sequence, bold: bool) -> None:
            x = MARGIN
            for value, w in zip(cells, cols, strict=False):
                text = _fit(_clean("" if value is None else value), w - 6, size, bold)
                numeric = (
                    isinstance(value, int | float)
                    or text.replace(",", "")
                    .replace("+", "")
                    .replace("-", "")
                    .replace(".", "")
                    .replace("%", "")
                    .isdigit()
                )
                dx = w - 6 - text_width(text, size, bold) if numeric else 0
                self._text(x + max(dx, 0), self.y + 3, text, size, bold)
                x += w

        self._room(line_h * 3)
        self.y -= line_h
        draw(header, True)
        self._rule(self.y, grey=0.2)
        for row in rows:
            if self.y - line_h < MARGIN + 18:
                self._new_page()
                self.y -= line_h
                draw(header, True)
                self._rule(self.y, grey=0.2)
            self.y -= line_h
            draw(row, False)
            self._rule(self.y, grey=0.85)
        self.y -= 8

    def render(self) -> bytes:
        """The PDF: catalog, page tree, two standard fonts, then each page and its content stream."""
        count = len(self.pages)
        page_ids = [5 + 2 * i for i in range(count)]
        objects: dict[int, bytes] = {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % i for i in page_ids), count),
            3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        }
        for n, (page_id, ops) in enumerate(zip(page_ids, self.pages, strict=True), 1):
            pages = gettext("page %(n)s of %(count)s", n=n, count=count)
            footer = f"{self.footer} - {pages}" if self.footer else pages[:1].upper() + pages[1:]
            ops = [*ops, b"BT /F1 8.0 Tf %.2f %.2f Td (%s) Tj ET" % (MARGIN, MARGIN - 20, _escape(footer))]
            stream = zlib.compress(b"\n".join(ops))
            objects[page_id] = (
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % (PAGE_W, PAGE_H, page_id + 1)
            )
            objects[page_id + 1] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (
                len(stream),
                stream,
            )
        info_id = max(objects) + 1
        objects[info_id] = b"<< /Title (%s) /Producer (Caseflow) >>" % _escape(self.title)
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = {}
        for number in sorted(objects):
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
        xref = len(out)
        size = max(objects) + 1
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            out += b"%010d 00000 n \n" % offsets[number]
        out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, info_id, xref)
        return bytes(out)
