"""Parse business bulletins (业务公告) from Markdown, DOCX or PDF, per ``FORMAT.md``.

Each format is first reduced to text lines (with heading levels where the format has them); one state machine
then reads header → sections → records → fields. A bulletin with any problem is rejected whole: every problem
of the file is collected and raised at once as a :class:`BulletinError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, get_args

from pydantic import BaseModel, ValidationError

from knowledge.schema import CATEGORIES, KP_ID, Bulletin, EmergencyScript, KnowledgePoint, Retirement, ScriptTopic

SUPPORTED_SUFFIXES = (".md", ".docx", ".pdf")
SECTIONS = ("一、新增及变更业务", "二、下线业务", "三、应急口径")
KINDS = ("知识点", "下线", "口径")  # record kind of each section, same order
OPEN_ENDED = "长期"
TOPICS: tuple[str, ...] = get_args(ScriptTopic)
SERVICES: tuple[str, ...] = get_args(get_args(EmergencyScript.model_fields["services"].annotation)[0])
_FIELD = re.compile(r"\s*([\u4e00-\u9fff]{2,8})\s*[：:]")
RECORD_MARKER = re.compile(r"【(知识点|下线|口径)】\s*([A-Za-z0-9][A-Za-z0-9_\-]*)?\s*")
_DOCX_LEVELS = {"title": 1, "heading1": 1, "标题": 1, "标题1": 1, "heading2": 2, "标题2": 2, "heading3": 3, "标题3": 3}
_MD_HEADING = re.compile(r"(#{1,3})\s+")
_LIST_SEP = re.compile(r"[、,，]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
_Spec = dict[str, tuple[str, Any]]  # field name -> (model attribute, converter from text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bulletin file.

    Attributes:
        record: The record id (``KP-…``/``ES-…``), or None for file- and header-level problems.
        field: The field name in Chinese (``生效日期``), or None.
        message: What is wrong, in Chinese.
        where: Where in the file (``第 12 行``, ``第 3 段``, ``第 2 页第 5 行``), when known.
    """

    record: str | None
    field: str | None
    message: str
    where: str | None = None

    def describe(self, path: str | None = None) -> str:
        """One line naming the file (when given), place, record and field."""
        parts = [f"文件 {path}"] if path else []
        if self.where:
            parts.append(self.where)
        if self.record:
            parts.append(f"记录 {self.record}")
        if self.field:
            parts.append(f"字段「{self.field}」")
        return "，".join(parts) + f"：{self.message}" if parts else self.message


class BulletinError(ValueError):
    """A bulletin file that cannot be applied; carries every problem found in it."""

    def __init__(self, path: str, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(p.describe(self.path) for p in self.problems)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.problems))


class _Line(NamedTuple):
    text: str  # stripped, heading markup removed
    where: str
    level: int  # 0 plain text, 1 title, 2 section heading, 3 record heading (from markup or style)
    para: bool  # starts a new paragraph (always, except PDF lines that merely wrap)


def parse_bulletin(path: Path) -> Bulletin:
    """Read a bulletin from a ``.md``, ``.docx`` or ``.pdf`` file.

    Args:
        path: The bulletin file.

    Returns:
        The parsed bulletin.

    Raises:
        BulletinError: If the file cannot be read or has any problem; it lists all of them.
    """
    path = Path(path)
    name, suffix = str(path), path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        _fail(name, f"不支持的文件格式「{path.suffix or '无后缀'}」，业务公告只支持 {'、'.join(SUPPORTED_SUFFIXES)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(name, f"无法读取文件：{exc.strerror or exc}")
    if not data.strip():
        _fail(name, "文件为空")
    if suffix == ".md":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            _fail(name, f"不是 UTF-8 编码的文本（第 {exc.start + 1} 字节无法解码），请另存为 UTF-8 后再导入")
        return _Parser(name, soft=False).run(_md_lines(text))
    if suffix == ".docx":
        return _Parser(name, soft=False).run(_docx_lines(path, name))
    return _Parser(name, soft=True).run(_pdf_lines(path, name))


def parse_text(text: str, source_name: str) -> Bulletin:
    """Parse bulletin text in the Markdown layout.

    Args:
        text: The bulletin text.
        source_name: Where it came from, used in problem reports.

    Returns:
        The parsed bulletin.

    Raises:
        BulletinError: If the bulletin has any problem; it lists all of them.
    """
    return _Parser(source_name, soft=False).run(_md_lines(text))


def _fail(name: str, message: str) -> NoReturn:
    raise BulletinError(name, [Problem(None, None, message)])


def _md_lines(text: str) -> list[_Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        m = _MD_HEADING.match(line)
        level = len(m.group(1)) if m else 0
        lines.append(_Line(line[m.end() :].strip() if m else line, f"第 {number} 行", level, True))
    return lines


def _docx_lines(path: Path, name: str) -> list[_Line]:
    from docx import Document

    try:
        lines = []
        for number, paragraph in enumerate(Document(str(path)).paragraphs, 1):
            style = (paragraph.style.name or "") if paragraph.style is not None else ""
            level = _DOCX_LEVELS.get(style.lower().replace(" ", ""), 0)
            for text in paragraph.text.split("\n"):
                lines.append(_Line(text.strip(), f"第 {number} 段", level, True))
    except Exception as exc:
        _fail(name, f"无法读取 DOCX 文件（文件可能已损坏或不是 Word 文档）：{type(exc).__name__}")
    return lines


def _pdf_lines(path: Path, name: str) -> list[_Line]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            _fail(name, "PDF 文件已加密，无法读取")
        lines = []
        for page_no, page in enumerate(reader.pages, 1):
            try:  # layout mode keeps a paragraph's first-line indent, even at the top of a page
                text = page.extract_text(extraction_mode="layout")
            except Exception:
                text = page.extract_text()
            for line_no, raw in enumerate(text.split("\n"), 1):
                if raw.strip():  # blank lines carry nothing in extracted text (e.g. at page ends)
                    lines.append(_Line(raw.strip(), f"第 {page_no} 页第 {line_no} 行", 0, raw[:1].isspace()))
    except BulletinError:
        raise
    except Exception as exc:
        _fail(name, f"无法读取 PDF 文件（文件可能已损坏）：{type(exc).__name__}")
    if not any(line.text for line in lines):
        _fail(name, "PDF 中没有可提取的文字（可能是扫描件或文件已损坏）")
    return lines


def _sep(left: str, right: str) -> str:
    """What to put between two pieces of a wrapped line: a space only between two ASCII words."""
    return " " if left.isascii() and right.isascii() and not left.isspace() and not right.isspace() else ""


@dataclass
class _Field:
    name: str
    where: str
    parts: list[tuple[str, bool]] = field(default_factory=list)

    def value(self, long: bool) -> str:
        """Join the lines: paragraphs with newlines (long fields only), wrapped lines with nothing or a space."""
        out: list[str] = []
        blank = False
        for text, para in self.parts:
            if not text:
                blank = bool(out)
            elif not out:
                out.append(text)
            else:
                joint = ("\n\n" if blank else "\n") if long and (para or blank) else _sep(out[-1][-1], text[0])
                out.append(joint + text)
                blank = False
        return "".join(out)


@dataclass
class _Record:
    kind: str
    rid: str
    where: str
    fields: dict[str, _Field] = field(default_factory=dict)
    current: _Field | None = None
    stray: bool = False

    @property
    def last(self) -> str:
        return RECORD_FIELDS[self.kind][-1]


class _Parser:
    """The state machine: header → sections → records → fields."""

    def __init__(self, name: str, soft: bool) -> None:
        self.name = name
        self.soft = soft  # lines may be wraps of longer lines (PDF)
        self.problems: list[Problem] = []
        self.header: dict[str, _Field] = {}
        self.heading = _Field("标题行", "")
        self.current: _Field | None = None  # open header field
        self.section = -1  # -1: header; 0-2: a known section; 3: an unknown section (skipped)
        self.stray = False
        self.records: list[_Record] = []
        self.record: _Record | None = None

    def problem(self, message: str, where: str | None, record: str | None = None, name: str | None = None) -> None:
        self.problems.append(Problem(record or None, name, message, where))

    def run(self, lines: Sequence[_Line]) -> Bulletin:
        for line in lines:
            self.feed(line)
        return self.build()

    def feed(self, line: _Line) -> None:
        text, where = line.text, line.where
        known = "".join(text.split()) if len(text) <= 30 else ""
        if known in SECTIONS:
            self.open_section(SECTIONS.index(known), where)
        elif self.section == 3 and line.level != 2:
            return  # inside an unknown section, already reported
        elif (m := RECORD_MARKER.fullmatch(text) if len(text) <= 80 else None) is not None:
            self.open_record(m.group(1), m.group(2) or "", where)
        elif line.level == 1:
            if self.section == -1 and not self.heading.parts:
                self.heading = _Field("标题行", where, [(text, True)])
            else:
                self.problem(f"多余的一级标题「{_clip(text)}」", where)
        elif line.level == 2:
            self.close_record()
            self.section = 3
            self.problem(f"未知章节「{_clip(text)}」（章节只能是 {'、'.join(SECTIONS)}）", where)
        elif line.level == 3:
            self.problem(f"无法识别的记录标题「{_clip(text)}」（应为 【知识点】、【下线】 或 【口径】 加编号）", where)
        elif self.section == -1:
            self.header_line(line)
        elif self.record is not None:
            self.record_line(self.record, line)
        elif text and not self.stray:
            self.stray = True
            self.problem(f"「{_clip(text)}」不属于任何记录（记录应以 【知识点】、【下线】 或 【口径】 开头）", where)

    def open_section(self, index: int, where: str) -> None:
        self.close_record()
        if index <= self.section < 3:
            self.problem(f"章节「{SECTIONS[index]}」重复或顺序不对（应依次为 {'、'.join(SECTIONS)}）", where)
        self.section, self.stray = index, False

    def open_record(self, kind: str, rid: str, where: str) -> None:
        self.close_record()
        self.record = _Record(kind, rid, where)
        self.records.append(self.record)
        if not rid:
            self.problem(f"【{kind}】记录缺少编号", where)
        if self.section in (-1, 3):
            self.problem(f"【{kind}】记录不在任何已知章节之下", where, rid)
        elif KINDS[self.section] != kind:
            self.problem(f"【{kind}】记录不应出现在章节「{SECTIONS[self.section]}」中", where, rid)

    def close_record(self) -> None:
        self.record = None
        self.current = None

    def header_line(self, line: _Line) -> None:
        if not line.text:
            return
        m = _FIELD.match(line.text)
        if m and m.group(1) in HEADER_FIELDS:
            name = m.group(1)
            if name in self.header:
                self.problem(f"公告头字段「{name}」重复", line.where, None, name)
            self.current = self.header[name] = _Field(name, line.where, [(line.text[m.end() :].strip(), True)])
        elif m and not self.soft:
            self.problem(f"公告头中出现未知字段「{m.group(1)}」（应为 {'、'.join(HEADER_FIELDS)}）", line.where)
        elif self.current is not None:
            self.current.parts.append((line.text, line.para))
        elif self.soft and not self.header:
            self.heading.parts.append((line.text, line.para))
            self.heading.where = self.heading.where or line.where
        else:
            self.problem(f"无法识别的内容「{_clip(line.text)}」（公告应以{'、'.join(HEADER_FIELDS)}开头）", line.where)

    def record_line(self, record: _Record, line: _Line) -> None:
        m = _FIELD.match(line.text) if record.last not in record.fields else None
        if m and m.group(1) in RECORD_FIELDS[record.kind]:
            name = m.group(1)
            if name in record.fields:
                self.problem("字段重复", line.where, record.rid, name)
                record.current = None
                return
            record.current = record.fields[name] = _Field(name, line.where, [(line.text[m.end() :].strip(), True)])
        elif m and not self.soft:
            self.problem(f"【{record.kind}】记录没有字段「{m.group(1)}」", line.where, record.rid)
        elif record.current is not None:
            record.current.parts.append((line.text, line.para))
        elif line.text and not record.stray:
            record.stray = True
            self.problem(f"「{_clip(line.text)}」不是字段行（应为 字段名：值）", line.where, record.rid)

    # --- building the models ---

    def build(self) -> Bulletin:
        header = _Record("公告", "", "", self.header)
        heading = self.heading.value(long=False)
        if heading and not self.raw(header, "公告标题"):
            self.header["公告标题"] = self.heading
        elif heading and "".join(heading.split()) != "".join(str(self.raw(header, "公告标题")).split()):
            self.problem(f"标题行「{_clip(heading)}」与公告标题不一致", self.heading.where, None, "公告标题")
        source = self.raw(header, "公告编号") or "未知公告"
        seen: dict[str, str] = {}
        items: dict[str, list[BaseModel]] = {kind: [] for kind in KINDS}
        for record in self.records:
            if record.rid in seen:
                self.problem(f"编号在本公告中重复出现（首次出现于{seen[record.rid]}）", record.where, record.rid)
            if record.rid:
                seen.setdefault(record.rid, record.where)
            if record.kind == "下线" and record.rid and not KP_ID.fullmatch(record.rid):
                message = f"知识点编号格式不正确: {record.rid!r}（例: KP-QQT-00128）"
                self.problem(message, record.where, record.rid, "编号")
            cls, spec = _SPECS[record.kind]
            base = {"id": record.rid} | ({} if cls is Retirement else {"source": source})
            obj = self.model(cls, record, self.fill(record, base, spec))
            items[record.kind] += [obj] if obj is not None else []
        data = self.fill(header, {}, _HEADER_SPEC)
        data |= {"upserts": items["知识点"], "retirements": items["下线"], "scripts": items["口径"]}
        bulletin = self.model(Bulletin, header, data, _HEADER_SPEC)
        if self.problems or not isinstance(bulletin, Bulletin):
            raise BulletinError(self.name, self.problems)
        return bulletin

    def raw(self, record: _Record, name: str) -> str | None:
        f = record.fields.get(name)
        return None if f is None else f.value(long=name in _LONG_FIELDS)

    def fill(self, record: _Record, data: dict[str, Any], spec: _Spec) -> dict[str, Any]:
        """Convert the record's fields per `spec` into model data; ``_BAD`` marks a field reported unconvertible."""
        for name, (key, convert) in spec.items():
            text = self.raw(record, name)
            if text is None:
                continue
            try:
                value = convert(text)
            except ValueError as exc:
                self.problem(str(exc), record.fields[name].where, record.rid, name)
                value = _BAD
            if value is not None:
                data[key] = value
        return data

    def model(self, cls: type[BaseModel], record: _Record, data: dict[str, Any], spec: _Spec | None = None) -> Any:
        """Validate `data` as `cls`, mapping every validation error to a problem on its Chinese field name.

        Fields that did not convert (``_BAD``) are already reported: they are left out, and pydantic's
        complaint that they are missing is dropped.
        """
        names = {key: name for name, (key, _) in (spec or _SPECS[record.kind][1]).items()}
        names |= {"id": "编号", "source": "公告编号"}
        bad = {key for key, value in data.items() if value is _BAD}
        try:
            obj = cls(**{key: value for key, value in data.items() if value is not _BAD})
        except ValidationError as exc:
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else None
                if key in bad or key in ("upserts", "retirements", "scripts"):
                    continue
                name = names.get(key, key) if key else None
                f = record.fields.get(name or "")
                self.problem(_message(err), f.where if f else (record.where or None), record.rid, name)
            return None
        return None if bad else obj


_BAD = object()  # a field whose text did not convert (already reported)


def _message(err: Any) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "缺少必填字段"
    if kind == "string_too_short":
        return "不能为空" if value == "" else f"内容过短（至少 {ctx.get('min_length')} 个字）"
    if kind == "string_too_long":
        return f"内容过长（{len(value)} 个字，上限 {ctx.get('max_length')} 个字）"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx.get('ge')}"
    if kind == "value_error":
        return _clip(str(err["msg"]).removeprefix("Value error, "), 200)
    return _clip(str(err["msg"]), 200)


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _to_date(text: str) -> date:
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"日期不合法：「{_clip(text)}」（应为 YYYY-MM-DD）")


def _to_end_date(text: str) -> date | None:
    return None if text in ("", OPEN_ENDED) else _to_date(text)


def _to_datetime(text: str) -> datetime:
    text = " ".join(text.split())
    try:
        if _DATETIME.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        pass
    raise ValueError(f"时间不合法：「{_clip(text)}」（应为 YYYY-MM-DD HH:MM）")


def _to_int(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"版本应为正整数，而不是「{_clip(text)}」")
    return int(text)


def _split(text: str) -> list[str]:
    return [item.strip() for item in _LIST_SEP.split(text) if item.strip()]


def _optional(text: str) -> str | None:
    return text or None


def _choice(options: tuple[str, ...]) -> Any:
    def check(text: str) -> str:
        if text not in options:
            raise ValueError(f"取值「{_clip(text)}」无效（可选：{'、'.join(options)}）")
        return text

    return check


def _choices(options: tuple[str, ...]) -> Any:
    one = _choice(options)
    return lambda text: [one(item) for item in _split(text)]


_HEADER_SPEC: _Spec = {
    "公告编号": ("bulletin_id", str), "公告标题": ("title", str), "发布日期": ("published", _to_date),
}
_SPECS: dict[str, tuple[type[BaseModel], _Spec]] = {
    "知识点": (KnowledgePoint, {
        "标题": ("title", str), "业务": ("business", str), "类别": ("category", _choice(CATEGORIES)),
        "适用地区": ("region", str), "办理渠道": ("channels", _split), "生效日期": ("effective_from", _to_date),
        "失效日期": ("effective_to", _to_end_date), "版本": ("version", _to_int), "标签": ("tags", _split),
        "覆盖全国知识点": ("variant_of", _optional), "正文": ("body", str),
    }),
    "下线": (Retirement, {"失效日期": ("effective_to", _to_date), "原因": ("reason", str)}),
    "口径": (EmergencyScript, {
        "标题": ("title", str), "主题": ("topic", _choice(TOPICS)), "适用地区": ("region", str),
        "区县": ("district", _optional), "关联故障": ("outage_id", _optional),
        "涉及业务": ("services", _choices(SERVICES)), "关键词": ("keywords", _split),
        "生效时间": ("valid_from", _to_datetime), "失效时间": ("valid_to", _to_datetime), "口径内容": ("wording", str),
    }),
}
HEADER_FIELDS: tuple[str, ...] = tuple(_HEADER_SPEC)
RECORD_FIELDS: dict[str, tuple[str, ...]] = {kind: tuple(spec) for kind, (_, spec) in _SPECS.items()}  # in order
_LONG_FIELDS = {fields[-1] for fields in RECORD_FIELDS.values()}  # the last field runs to the next record
