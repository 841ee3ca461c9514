"""Masking of personal data in transcripts, logs and LLM input.

Masked: mobile numbers, resident ID card numbers and bank card numbers, written in digits or spoken (Chinese
numerals with 幺 for 1, 两 for 2, 〇/零 for 0, full-width digits, possibly mixed with ASCII digits and with pauses
between digit groups: ``幺三八，零七九一，一二三四``); passport numbers; e-mail addresses. Masked forms are always
ASCII digits and asterisks, keeping enough of both ends to recognise the number: ``138****1234``,
``360102********1234``, ``6222********7890``, ``E3*****76``, ``c***@example.com``.

Ordinary numbers (amounts, dates, quantities, 4-digit tails such as ``尾号一二三四``) are left alone: a spoken run of
digits is masked only when it forms a mobile (11 digits, 1[3-9]…), an ID card (18, the last may be X/叉) or a bank
card (16-19 digits), or when it is a single unbroken run of 11 or more spoken digits (a misheard number is still
personal data).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

# --- numbers written in ASCII digits: 18-digit resident ID (last may be X), 16-19 digit bank cards, 11-digit
# mobiles (optionally +86 / 86 in front); a space, dash, dot or slash allowed between digits (138.0791.2345)
_SEP = r"[ \-./]?"
_ID = re.compile(r"(?<![\dXx])(\d{6})" + _SEP + r"((?:\d" + _SEP + r"){8})(\d{3}[\dXx])(?![\dXx])")
_BANK = re.compile(r"(?<!\d)(?<!\d[ \-./])\d(?:" + _SEP + r"\d){15,}(?!" + _SEP + r"\d)")
"""16-19 digits (a bank card), grouped any way ("6222 0212 3456 7890 123"), always as the whole run: a longer one
(a card read with a digit too many) is masked the same way rather than left readable."""
_PHONE = re.compile(r"(?<!\d)((?:\+?86" + _SEP + r")?)(1[3-9]\d)" + _SEP + r"(\d{4})" + _SEP + r"(\d{4})(?!\d)")

# --- numbers spoken in Chinese numerals (or mixed with digits), with pauses between digit groups
_DIGIT_VALUES = {
    **{c: c for c in "0123456789"},
    **{chr(0xFF10 + i): str(i) for i in range(10)},  # full-width ０-９
    "零": "0", "〇": "0", "○": "0", "幺": "1", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
    "六": "6", "七": "7", "八": "8", "九": "9",
}
_D = "[0-9０-９零〇○幺一二两三四五六七八九]"
_X = "[XxＸｘ叉]"
_GAP = r"(?:[ \t]*[,，、\-－—–~～杠./．／·][ \t]*|[ \t]+)"  # a pause: spaces, or one separator with spaces around it
_RUN_CHARS = "[0-9０-９零〇○幺一二两三四五六七八九XxＸｘ叉 \t,，、\\-－—–~～杠./．／·]"
_RUN = re.compile(  # the look-ahead skips, inside the regex engine, runs too short to be a personal number
    f"(?={_RUN_CHARS}{{11}}){_D}(?:{_GAP}?{_D})*(?:{_GAP}?{_X}(?![A-Za-z]))?"
)
_PLAIN_RUN = re.compile(r"[0-9 \t\-]+[Xx]?")  # left to the ASCII patterns above
_LEADING_LETTER = re.compile(r"[A-Za-z][ \t]*$")  # a code such as T二零二六…, not personal data by itself
_WORD_DIGITS = "一两"  # also words: 一下, 一直, 两个; a trailing one followed by a word is not a digit
_MIN_UNKNOWN = 11  # an unbroken spoken run this long is masked even when it is no known kind of number
_MAX_DIGITS = 19
_WINDOW = 4  # look this far back for a letter in front of a run

# --- passports (and travel permits): E12345678, G12345678, EA1234567; any code after 护照号/passport no.
_PASSPORT = re.compile(
    f"(?<![A-Za-z0-9])(?:[EGDSPegdsp]{_D}{{8}}|[Ee][A-HJ-NP-Za-hj-np-z]{_D}{{7}})(?![A-Za-z0-9])(?!{_D})"
)
_CODE = f"(?<![A-Za-z])[A-Za-z]{{0,2}}(?:[ \\-]?{_D}){{6,12}}[A-Za-z]?(?![A-Za-z0-9])(?!{_D})"
_LETTER_CODE = f"(?<![A-Za-z])[A-Za-z]{{1,2}}(?:[ \\-]?{_D}){{6,12}}[A-Za-z]?(?![A-Za-z0-9])(?!{_D})"
_NOT_END = r"[^\n,，。.;；!！?？:：\d]"  # within the same clause
_PASSPORT_CUES = (  # 护照号(码)… followed by any code; 护照… followed by a code that starts with a letter
    re.compile(
        f"(?:(?:护照|通行证|回乡证){_NOT_END}{{0,4}}?(?:号码|号|编号)|passport[ \t]*(?:no\\.?|number|#))"
        f"(?:是|为|[:：]|[ \t])*(?P<code>{_CODE})",
        re.IGNORECASE,
    ),
    re.compile(f"(?:护照|passport){_NOT_END}{{0,8}}?(?P<code>{_LETTER_CODE})", re.IGNORECASE),
)

# --- e-mail addresses, also as ASR writes them (艾特 for @, 点 for .)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9_%+\-.])(?P<local>[A-Za-z0-9](?:[A-Za-z0-9_%+\-]|\.(?=[A-Za-z0-9])|点(?=[A-Za-z0-9]))*)"
    r"[ \t]*(?:@|＠|艾特)[ \t]*"
    r"(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9\-]|\.(?=[A-Za-z0-9])|点(?=[A-Za-z0-9]))*(?:\.|点)[A-Za-z]{2,})"
    r"(?![A-Za-z0-9])"
)
_EMAIL_CUES = ("@", "＠", "艾特")
_PASSPORT_WORDS = ("护照", "通行证", "回乡证", "passport", "Passport", "PASSPORT")


class _Found(NamedTuple):
    """A personal number found in a spoken run: where it is in the text, what kind, and its digits."""

    start: int
    end: int
    kind: str  # phone, id_card, bank_card or unknown
    digits: str  # ASCII digits (X last for an ID card); a phone may carry 86 in front


def _kind(digits: str) -> str | None:
    """What a string of ASCII digits is, if it is personal data (phone, id_card, bank_card), else None."""
    n = len(digits)
    if n == 18 and digits[:17].isdigit() and digits[0] != "0":
        return "id_card"
    if not digits.isdigit():
        return None
    if n == 11 and digits[0] == "1" and digits[1] in "3456789":
        return "phone"
    if n == 13 and digits.startswith("861") and digits[3] in "3456789":
        return "phone"
    if 16 <= n <= _MAX_DIGITS and digits[0] not in "01":
        return "bank_card"
    return None


def _masked(kind: str, digits: str) -> str:
    """The masked form of a number, in ASCII: ``138****1234``, ``360102********1234``, ``6222********7890``."""
    if kind == "phone":
        prefix, digits = digits[:-11], digits[-11:]
        return f"{prefix}{digits[:3]}****{digits[-4:]}"
    if kind == "id_card":
        return f"{digits[:6]}********{digits[-4:]}"
    if kind == "bank_card":
        return f"{digits[:4]}********{digits[-4:]}"
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _groups(run: re.Match[str]) -> list[list[tuple[str, int]]]:
    """The run's digit groups (split at pauses): each a list of (ASCII digit or X, position in the text)."""
    groups: list[list[tuple[str, int]]] = [[]]
    base = run.start()
    for offset, char in enumerate(run.group(0)):
        value = _DIGIT_VALUES.get(char)
        if value is None and char in "XxＸｘ叉":
            value = "X"
        if value is None:
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append((value, base + offset))
    return [g for g in groups if g]


def _spoken(run: re.Match[str]) -> list[_Found]:
    """The personal numbers in one run of digits that the ASCII patterns do not cover (spoken, or paused)."""
    text = run.group(0)
    if len(text) < _MIN_UNKNOWN or _PLAIN_RUN.fullmatch(text):  # too short for any personal number
        return []
    groups = _groups(run)
    options = [groups]
    if groups[-1][-1][0] == "X":  # then without the X, in case it is not an ID card's
        options.append(_drop_last(groups))
    after = run.string[run.end():run.end() + 1]
    last_char = run.string[groups[-1][-1][1]]
    if last_char in _WORD_DIGITS and "\u4e00" <= after <= "\u9fff":  # 一下, 两个: try without it first
        options.insert(0, _drop_last(groups))
    options = [o for o in options if o]
    for option in options:
        found = _partition(run.string, option)
        if found:
            return found
    if options and len(options[-1]) == 1:  # one unbroken run (X left out): mask it when long, whatever it is
        return _unknown(run, options[-1][0])
    return []


def _drop_last(groups: list[list[tuple[str, int]]]) -> list[list[tuple[str, int]]]:
    """The groups without their last character."""
    out = [list(g) for g in groups]
    out[-1].pop()
    return [g for g in out if g]


def _unknown(run: re.Match[str], group: list[tuple[str, int]]) -> list[_Found]:
    """An unbroken spoken run of `_MIN_UNKNOWN` digits or more, not after a letter: masked as a number."""
    digits = "".join(v for v, _ in group)
    if len(digits) < _MIN_UNKNOWN or not digits.isdigit() or all(run.string[i] in "0123456789" for _, i in group):
        return []
    start = group[0][1]
    if _LEADING_LETTER.search(run.string, max(0, start - _WINDOW), start):
        return []
    return [_Found(start, group[-1][1] + 1, "unknown", digits)]


def _partition(text: str, groups: list[list[tuple[str, int]]]) -> list[_Found]:
    """Personal numbers made of consecutive digit groups, longest first, left to right.

    A number made only of ASCII digits split by pauses must look like one (groups of 3 or more digits, 4 or more
    inside), so that lists of amounts (``58、88、128``) are not taken for a phone. A lone last digit after a longer
    group is left out when the number is one without it (``6222…7890，三张`` is a 16-digit card).
    """
    found: list[_Found] = []
    i, n = 0, len(groups)
    while i < n:
        candidates: list[tuple[int, str]] = []
        digits = ""
        for j in range(i, n):
            digits += "".join(v for v, _ in groups[j])
            if len(digits) > _MAX_DIGITS:
                break
            candidates.append((j, digits))
        match: _Found | None = None
        for j, digits in reversed(candidates):
            kind = _kind(digits)
            if kind is None or not _plausible(text, groups[i:j + 1]):
                continue
            if j > i and digits[-1] != "X" and len(groups[j]) == 1 < len(groups[j - 1]) and _kind(digits[:-1]):
                continue
            match = _Found(groups[i][0][1], groups[j][-1][1] + 1, kind, digits)
            i = j + 1
            break
        if match is None:
            i += 1
        else:
            found.append(match)
    return found


def _plausible(text: str, groups: list[list[tuple[str, int]]]) -> bool:
    """Whether groups of digits can be one number: any spoken one can; ASCII ones need number-like groups."""
    if len(groups) == 1 or any(text[i] not in "0123456789" for g in groups for _, i in g):
        return True
    sizes = [len(g) for g in groups]
    return min(sizes) >= 3 and all(s >= 4 for s in sizes[1:-1])


def _spoken_numbers(text: str) -> Iterator[_Found]:
    """Every personal number spoken (or paused) in `text`, in order."""
    for run in _RUN.finditer(text):
        yield from _spoken(run)


def _mask_spoken(text: str) -> str:
    """`text` with every spoken (or paused) personal number replaced by its masked ASCII form."""
    parts: list[str] = []
    last = 0
    for found in _spoken_numbers(text):
        parts.append(text[last:found.start])
        parts.append(_masked(found.kind, found.digits))
        last = found.end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _to_ascii(code: str) -> str:
    """A passport code in ASCII: spoken digits as digits, pauses removed, letters upper-case."""
    return "".join(_DIGIT_VALUES.get(c, c) for c in code if c not in " -").upper()


def _mask_code(code: str) -> str:
    """``E38125476`` -> ``E3*****76``: the first two and last two characters kept."""
    code = _to_ascii(code)
    return code[:2] + "*" * (len(code) - 4) + code[-2:]


def _mask_passport_cue(m: re.Match[str]) -> str:
    """The code after 护照号/passport no. masked; the words around it kept."""
    if _kind(_to_ascii(m.group("code"))):  # a phone or card number said after 护照: masked as such, later
        return m.group(0)
    start, end = m.span("code")
    return m.group(0)[: start - m.start()] + _mask_code(m.group("code")) + m.group(0)[end - m.start():]


def _mask_email(m: re.Match[str]) -> str:
    """``chen.x2026@example.com`` -> ``c***@example.com`` (艾特/点 written as @ and .)."""
    local = m.group("local")
    return f"{local[0]}***@{m.group('domain').replace('点', '.')}"


def _mask_bank(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return f"{digits[:4]}********{digits[-4:]}"


_NUMBER_CUE = re.compile(r"身份证|证件号|证件的号|银行卡|卡号|护照|通行证")
"""Words that say a personal number is being read out, perhaps in pieces over the next turns."""
_PIECE = re.compile(f"(?<![*＊])(?<!{_D}){_D}{{4,}}(?!{_D})(?![*＊])")
"""A run of 4 or more digits (written or spoken): a piece of a number read out after a cue."""
_QUANTITY = re.compile(r"[ \t]*[多余来几]?(?:元|块|毛|角|分钟|G|GB|M|MB|兆|个|月|年|天|小时|次|号|%|％|[-－/.．])")
_SERVICE_NUMBER = re.compile(r"100\d\d|12\d{3}|95\d{3}")
"""Service numbers (10086, 12345, 95598): said after a cue, they are still no piece of a personal number."""
_TAIL = re.compile(r"(?:尾号|后四位|末四位)[是为:： \t]*$")
NUMBER_TURNS = 2
"""After a cue, how many utterances may carry the rest of the number ("后面是198503121234")."""
CUE_TURN_PIECE = 7
"""In the cue's own utterance, a run after the cue this long is a piece (a 6-digit region code alone is not)."""


def _mask_pieces(text: str, shortest: int) -> str:
    """Runs of `shortest` digits or more masked as pieces of a personal number, unless quantities or tails.

    A piece of 6 or more keeps its last 4 (``********1234``), a shorter one is masked whole (``0512`` ->
    ``****``); an amount or a count (``1000块``, ``2024年``) and a 4-digit tail (``尾号3216``) are left alone.
    """
    def one(m: re.Match[str]) -> str:
        piece = m.group(0)
        if (len(piece) < shortest or _QUANTITY.match(text, m.end()) or _SERVICE_NUMBER.fullmatch(piece)
                or _TAIL.search(text, max(0, m.start() - 6), m.start())):
            return piece
        return "*" * len(piece) if len(piece) < 6 else "*" * (len(piece) - 4) + piece[-4:]
    return _PIECE.sub(one, text)


def mask_in_call(raw: str, turns_left: int) -> tuple[str, int]:
    """Mask an utterance of a call in which a personal number may be read out across turns.

    Args:
        raw: The utterance as said.
        turns_left: The count `mask_in_call` returned for the call's previous utterance (0 at its start).

    Returns:
        The masked text, and the count to pass with the next utterance. While a cue (身份证, 银行卡 ...) was said
        in the last `NUMBER_TURNS` utterances, any remaining run of 4 or more digits is masked too, keeping the
        last 4 of a longer one ("身份证前面是360102" / "后面是198503121234" -> "后面是********1234", "0512后面是
        3216" -> "****后面是****"): the pieces are no known kind of number alone. In the cue's own utterance a run
        of `CUE_TURN_PIECE` digits or more after the cue is one ("身份证号是3101041988" -> "身份证号是******1988").
    """
    text = mask(raw)
    if turns_left > 0:
        text = _mask_pieces(text, 4)
    cue = _NUMBER_CUE.search(text)
    if cue:
        text = text[:cue.end()] + _mask_pieces(text[cue.end():], CUE_TURN_PIECE)
    return text, NUMBER_TURNS if cue else max(0, turns_left - 1)


def mask(text: str) -> str:
    """Mask personal data in a text, keeping enough to recognise it; everything else is left as it is.

    Args:
        text: Any text: an utterance, a log line, a prompt.

    Returns:
        The text with phone, ID card, bank card and passport numbers and e-mail addresses masked, e.g.
        ``13807911234`` and ``幺三八，零七九一，一二三四`` -> ``138****1234``; ``360102199001011234`` ->
        ``360102********1234``; ``6222 0212 3456 7890`` -> ``6222********7890``; ``E38125476`` ->
        ``E3*****76``; ``chen.x2026@example.com`` -> ``c***@example.com``.
    """
    if any(cue in text for cue in _EMAIL_CUES):
        text = _EMAIL.sub(_mask_email, text)
    if any(word in text for word in _PASSPORT_WORDS):
        for cue in _PASSPORT_CUES:
            text = cue.sub(_mask_passport_cue, text)
    text = _PASSPORT.sub(lambda m: _mask_code(m.group(0)), text)
    text = _mask_spoken(text)
    text = _ID.sub(lambda m: f"{m.group(1)}********{m.group(3)[-4:]}", text)
    text = _BANK.sub(_mask_bank, text)
    return _PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(4)}", text)


def without_number(value: Any, number: str) -> Any:
    """`value` with every occurrence of one known number (the caller's) in its texts masked, dicts and lists rebuilt.

    For what the state keeps of back-office data (an action's parameters, a write's outcome), which the
    checkpoints and the audit trail store: nothing else is touched, so an account id that looks like a phone
    number stays what a tool needs.
    """
    if isinstance(value, str):
        return value.replace(number, mask(number)) if number and number in value else value
    if isinstance(value, dict):
        return {k: without_number(v, number) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_number(v, number) for v in value]
    return value


def phone_numbers(text: str) -> list[str]:
    """The mobile numbers in an unmasked text, as 11 ASCII digits, in order (to tell the caller's own from others).

    Args:
        text: The unmasked utterance.

    Returns:
        Each mobile number written in digits or spoken (``幺三九七九幺四零七二六`` -> ``13979140726``), without
        a +86 prefix.
    """
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for number in _spoken_numbers(text):
        spans.append((number.start, number.end))
        if number.kind == "phone":
            found.append((number.start, number.digits[-11:]))
    for m in _PHONE.finditer(text):
        if not any(start < m.end() and m.start() < end for start, end in spans):
            found.append((m.start(), m.group(2) + m.group(3) + m.group(4)))
    return [digits for _, digits in sorted(found)]


_CONTACT = re.compile(r"(?:打|联系|回拨|回电话?给|找)我|"
                      r"我(?:的)?(?:另一个|另外一个|另个|其他|备用|第二个)(?:号|电话|手机)|联系(?:电话|方式|号码)|回(?:拨|电)")
"""The caller gives a number to be called back on: their own, not one they ask about."""
_SOMEONE_ELSE = re.compile(r"(?:我|他|她)(?:妈|爸|老公|老婆|爱人|儿子|女儿|朋友|同事|家里人|亲戚|老人|父亲|母亲)|"
                           r"他的|她的|别人|人家的")
"""Whose the number is, when it is someone else's."""
_THIRD_PERSON = re.compile(r"(?<![其吉])[他她](?!们|人)")  # not 其他, 他们, 他人
_OWN_LINE = re.compile(r"我自己|我本人|我这个号|我的号|我这号")


def about_someone_else(text: str) -> bool:
    """Whether a turn speaks of a third person ("帮我看一下她欠了多少钱", "我妈的"), not of the caller's own line.

    A turn that names the caller's own line ("那我自己这个号有没有其他便宜的套餐") is the caller's.
    """
    if _OWN_LINE.search(text):
        return False
    return bool(_SOMEONE_ELSE.search(text) or _THIRD_PERSON.search(text))


def other_line_asked_about(raw: str, msisdn: str) -> bool:
    """Whether an unmasked caller turn names a mobile number other than the calling line's to ask about it.

    A number given to be called back on ("你们有事打我另一个电话139…") is the caller's own contact, unless the
    turn also says whose else it is ("我妈的号码…").
    """
    if not any(n != msisdn for n in phone_numbers(raw)):
        return False
    return not _CONTACT.search(raw) or bool(_SOMEONE_ELSE.search(raw))
