"""Write business bulletins (业务公告) as Markdown, DOCX or PDF, per ``FORMAT.md``.

All three renderers lay out the same blocks (title, header fields, section headings, record markers, fields and
the paragraphs of the long last field), so whatever one writes, :func:`knowledge.bulletins.parse.parse_bulletin`
reads back. Output is deterministic: the same bulletin gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from knowledge.bulletins.parse import (
    KINDS,
    OPEN_ENDED,
    RECORD_MARKER,
    SECTIONS,
    SUPPORTED_SUFFIXES,
    BulletinError,
    Problem,
)
from knowledge.schema import Bulletin, EmergencyScript, KnowledgePoint, Retirement

PDF_FONT = "STSong-Light"
_AUTHOR = "Hotline Copilot"
_LIST_SEPARATORS = re.compile(r"[、,，]")
_MD_HEADING = re.compile(r"#{1,3}\s")

_Block = tuple[str, str]  # (kind, text); kind: title, field, section, record, more (a further paragraph)


def render_markdown(b: Bulletin) -> str:
    """Render a bulletin as Markdown.

    Args:
        b: The bulletin.

    Returns:
        The Markdown text (UTF-8 when written), ending with a newline.

    Raises:
        ValueError: If a value cannot be written so that it reads back the same (see :func:`write_bulletin`).
    """
    lines: list[str] = []
    for kind, text in _blocks(b):
        if kind == "more" and _MD_HEADING.match(text):
            raise ValueError(f"正文中的一行「{text[:30]}」在 Markdown 中会被当作标题，无法写出")
        if kind in ("title", "section", "record"):
            if lines and lines[-1]:
                lines.append("")
            lines += [{"title": "# ", "section": "## ", "record": "### "}[kind] + text, ""]
        else:
            lines.append(text)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_docx(b: Bulletin, path: Path) -> None:
    """Write a bulletin as a Word document.

    The title uses style ``Title``, sections ``Heading 2``, record markers ``Heading 3``; every field and
    paragraph is a paragraph of its own. Document properties and zip entry times come from the publication
    date, so the file is the same byte for byte each time.

    Args:
        b: The bulletin.
        path: Where to write the ``.docx``.

    Raises:
        ValueError: If a value cannot be written so that it reads back the same.
    """
    from docx import Document

    doc = Document()
    styles = {"title": "Title", "section": "Heading 2", "record": "Heading 3"}
    for kind, text in _blocks(b):
        doc.add_paragraph(text, style=styles.get(kind))
    stamp = datetime(b.published.year, b.published.month, b.published.day)
    props = doc.core_properties
    props.created = props.modified = stamp
    props.title, props.subject, props.revision = b.title, b.bulletin_id, 1
    props.author = props.last_modified_by = _AUTHOR
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    zip_time = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=zip_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    Path(path).write_bytes(out.getvalue())


def write_pdf(b: Bulletin, path: Path) -> None:
    """Write a bulletin as a PDF with the built-in CID font ``STSong-Light``.

    Long text wraps (CJK line breaking); a body's further paragraphs start indented, which the parser uses to
    tell a new paragraph from a wrapped line. The document is written with ``invariant=1``: no timestamps or
    random ids.

    Args:
        b: The bulletin.
        path: Where to write the ``.pdf``.

    Raises:
        ValueError: If a value cannot be written so that it reads back the same.
    """
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    _register_font()
    base = ParagraphStyle("field", fontName=PDF_FONT, fontSize=10.5, leading=16, wordWrap="CJK")
    styles = {
        "title": ParagraphStyle("title", base, fontSize=16, leading=24, alignment=TA_CENTER, spaceAfter=10),
        "section": ParagraphStyle("section", base, fontSize=13, leading=20, spaceBefore=12, spaceAfter=4),
        "record": ParagraphStyle("record", base, fontSize=11.5, leading=18, spaceBefore=8, spaceAfter=2),
        "field": base,
        "more": ParagraphStyle("more", base, firstLineIndent=21),
    }
    story: list[Any] = [Paragraph(escape(text), styles[kind]) for kind, text in _blocks(b) if text]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, invariant=1, title=b.title, subject=b.bulletin_id, author=_AUTHOR, creator=_AUTHOR
    )
    doc.build(story)
    Path(path).write_bytes(out.getvalue())


def write_bulletin(b: Bulletin, path: Path) -> None:
    """Write a bulletin in the format its suffix names (``.md``, ``.docx`` or ``.pdf``).

    Args:
        b: The bulletin.
        path: The file to write; its suffix picks the format.

    Raises:
        BulletinError: If the suffix is not a supported format.
        ValueError: If a value cannot be written so that it reads back the same: a list item (办理渠道, 标签,
            关键词) containing a separator, a script time with seconds or a time zone, or a line of a long
            field that would read as a section heading or record marker.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".md":
        path.write_text(render_markdown(b), encoding="utf-8", newline="\n")
    elif suffix == ".docx":
        write_docx(b, path)
    elif suffix == ".pdf":
        write_pdf(b, path)
    else:
        message = f"不支持的文件格式「{path.suffix or '无后缀'}」，业务公告只支持 {'、'.join(SUPPORTED_SUFFIXES)}"
        raise BulletinError(str(path), [Problem(None, None, message)])


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def _blocks(b: Bulletin) -> list[_Block]:
    """The bulletin as a flat list of blocks, in the order of ``FORMAT.md``."""
    blocks: list[_Block] = [("title", _one_line(b.title))]
    header: list[tuple[str, str | None]] = [("公告编号", b.bulletin_id), ("公告标题", b.title)]
    blocks += _fields([*header, ("发布日期", b.published.isoformat())], long=False)
    groups: list[list[Any]] = [b.upserts, b.retirements, b.scripts]
    for section, kind, records in zip(SECTIONS, KINDS, groups, strict=True):
        if not records:
            continue
        blocks.append(("section", section))
        for record in records:
            blocks.append(("record", f"【{kind}】{record.id}"))
            blocks += _fields(_record_fields(record))
    return blocks


def _record_fields(record: KnowledgePoint | Retirement | EmergencyScript) -> list[tuple[str, str | None]]:
    if isinstance(record, KnowledgePoint):
        return [
            ("标题", record.title), ("业务", record.business), ("类别", record.category), ("适用地区", record.region),
            ("办理渠道", _join("办理渠道", record.channels)), ("生效日期", record.effective_from.isoformat()),
            ("失效日期", record.effective_to.isoformat() if record.effective_to else OPEN_ENDED),
            ("版本", str(record.version)), ("标签", _join("标签", record.tags)),
            *([("覆盖全国知识点", record.variant_of)] if record.variant_of else []), ("正文", record.body),
        ]
    if isinstance(record, Retirement):
        return [("失效日期", record.effective_to.isoformat()), ("原因", record.reason)]
    return [
        ("标题", record.title), ("主题", record.topic), ("适用地区", record.region), ("区县", record.district),
        ("关联故障", record.outage_id), ("涉及业务", _join("涉及业务", list(record.services))),
        ("关键词", _join("关键词", record.keywords)), ("生效时间", _minute(record.valid_from)),
        ("失效时间", _minute(record.valid_to)), ("口径内容", record.wording),
    ]


def _fields(pairs: list[tuple[str, str | None]], long: bool = True) -> list[_Block]:
    """Field blocks; empty optional fields are left out, a long last field is split into paragraphs."""
    blocks: list[_Block] = []
    for name, value in pairs:
        if not value:
            continue
        if not long or name != pairs[-1][0]:
            blocks.append(("field", f"{name}：{_one_line(value)}"))
            continue
        paragraphs = [line.strip() for line in value.strip().split("\n")]
        blocks.append(("field", f"{name}：{paragraphs[0]}"))
        for index, line in enumerate(paragraphs[1:], 1):
            if not line and not paragraphs[index - 1]:
                continue  # one blank line between paragraphs is enough
            if "".join(line.split()) in SECTIONS or RECORD_MARKER.fullmatch(line):
                raise ValueError(f"{name}中的一行「{line[:30]}」会被当作章节标题或记录标记，无法写出")
            blocks.append(("more", line))
    return blocks


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _join(name: str, items: list[str]) -> str:
    for item in items:
        if _LIST_SEPARATORS.search(item) or not item.strip():
            raise ValueError(f"{name}中的「{item}」为空或含有分隔符（、,，），无法写出")
    return "、".join(item.strip() for item in items)


def _minute(value: datetime) -> str:
    if value.tzinfo is not None or value.second or value.microsecond:
        raise ValueError(f"口径时间 {value.isoformat()} 带有秒或时区；格式只支持 YYYY-MM-DD HH:MM")
    return value.strftime("%Y-%m-%d %H:%M")
