"""Masking of personal data (phone, ID card and bank card numbers) in transcripts, logs and LLM input."""

from __future__ import annotations

import re

_SEP = r"[ \-]?"
# 18-digit resident ID (last may be X), 16-19 digit bank cards, 11-digit mobiles; spaces or dashes allowed
_ID = re.compile(r"(?<![\dXx])(\d{6})" + _SEP + r"((?:\d" + _SEP + r"){8})(\d{3}[\dXx])(?![\dXx])")
_BANK = re.compile(r"(?<!\d)(\d{4})" + _SEP + r"((?:\d" + _SEP + r"){7,10}\d)" + _SEP + r"(\d{4})(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)" + _SEP + r"(\d{4})" + _SEP + r"(\d{4})(?!\d)")


def mask(text: str) -> str:
    """Mask ID card, bank card and mobile numbers, keeping enough to recognise them.

    ``13807911234`` -> ``138****1234``; ``360102199001011234`` -> ``360102********1234``;
    ``6222 0212 3456 7890`` -> ``6222********7890``.
    """
    text = _ID.sub(lambda m: f"{m.group(1)}********{m.group(3)[-4:]}", text)
    text = _BANK.sub(lambda m: f"{m.group(1)}********{m.group(3)}", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def phone_numbers(text: str) -> list[str]:
    """The mobile numbers in unmasked `text`, as 11 digits (to tell the caller's own from someone else's)."""
    return [m.group(1) + m.group(2) + m.group(3) for m in _PHONE.finditer(text)]
