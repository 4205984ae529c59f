"""Cell comments for streamed sheets, written as SpreadsheetML + VML directly.

openpyxl needs about 0.3 ms per comment, too slow for a sheet where every one of 100,000 rows has
an error. The sheet gets one ordinary openpyxl comment, so openpyxl writes the relationships and
content types; at save time the comments part and its VML drawing are replaced by these.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from importer.workbooks.xmltext import escape_text, letters
from importer.workbooks.styles import AUTHOR, comment_size

# (Excel row, 0-based column, text)
Note = tuple[int, int, str]

_COMMENTS_HEAD = ('<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                  f"<authors><author>{AUTHOR}</author></authors><commentList>")
_COMMENTS_TAIL = "</commentList></comments>"
_VML_SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')
_VML_SHAPE = (
    '<v:shape id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
    'margin-top:1.5pt;width:{w}pt;height:{h}pt;z-index:{z};visibility:hidden" '
    'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
    '<v:shadow color="black" obscured="t"/><v:path o:connecttype="none"/>'
    '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/></v:textbox>'
    '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
    '<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column>'
    '</x:ClientData></v:shape>')
FIRST_SHAPE = 1025  # VML shape ids are numbered in blocks of 1024; block 1 starts at 1025


def comments_xml(notes: Iterable[Note]) -> Iterator[str]:
    """The comments part. A sheet's comments repeat a few texts (one message per wrong id, per
    check): each text is escaped once."""
    yield _COMMENTS_HEAD
    bodies: dict[str, str] = {}
    for row, col, text in notes:
        body = bodies.get(text)
        if body is None:
            body = bodies[text] = (f'" authorId="0" shapeId="0"><text><t xml:space="preserve">'
                                   f"{escape_text(text)}</t></text></comment>")
        yield f'<comment ref="{letters(col)}{row}{body}'
    yield _COMMENTS_TAIL


def vml_xml(notes: list[Note]) -> Iterator[str]:
    """The VML drawing of the comments' boxes, each sized to its text (sized once per text)."""
    blocks = ",".join(str(b) for b in range(1, (FIRST_SHAPE + len(notes)) // 1024 + 1))
    yield ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
           'xmlns:o="urn:schemas-microsoft-com:office:office" '
           'xmlns:x="urn:schemas-microsoft-com:office:excel">'
           f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{blocks}"/></o:shapelayout>'
           + _VML_SHAPETYPE)
    head, middle, tail = _VML_PARTS
    sizes: dict[str, str] = {}
    for n, (row, col, text) in enumerate(notes, start=1):
        size = sizes.get(text)
        if size is None:
            width, height = comment_size(text)
            size = sizes[text] = f"{round(width * 0.75)}pt;height:{round(height * 0.75)}"
        yield f"{head}{FIRST_SHAPE + n}{middle[0]}{size}{middle[1]}{n}{tail[0]}{row - 1}" \
              f"{tail[1]}{col}{tail[2]}"
    yield "</xml>"


def _vml_parts() -> tuple[str, tuple[str, str], tuple[str, str, str]]:
    """_VML_SHAPE cut at its fields, to be joined without str.format's parsing per shape."""
    before_id, rest = _VML_SHAPE.split("{id}")
    before_w, rest = rest.split("{w}")
    after_w, rest = rest.split("{h}")
    assert after_w == "pt;height:"
    after_h, rest = rest.split("{z}")
    before_row, rest = rest.split("{row}")
    before_col, end = rest.split("{col}")
    return before_id, (before_w, after_h), (before_row, before_col, end)


_VML_PARTS = _vml_parts()


_TARGET = re.compile(r'Type="[^"]*/(comments|vmlDrawing)"[^>]*?Target="([^"]+)"|'
                     r'Target="([^"]+)"[^>]*?Type="[^"]*/(comments|vmlDrawing)"')


def comment_parts(rels_xml: str) -> dict[str, str]:
    """{'comments': zip name, 'vmlDrawing': zip name} from a sheet's relationships part."""
    out = {}
    for m in _TARGET.finditer(rels_xml):
        kind, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        out[kind] = target.lstrip("/") if target.startswith("/") else "xl/" + target.lstrip("./")
    return out
