"""Business bulletins (业务公告): parse them from, and write them to, Markdown, DOCX and PDF.

See ``FORMAT.md`` in this package for the format.
"""

from knowledge.bulletins.parse import BulletinError, Problem, parse_bulletin, parse_text
from knowledge.bulletins.render import render_markdown, write_bulletin, write_docx, write_pdf

__all__ = [
    "BulletinError",
    "Problem",
    "parse_bulletin",
    "parse_text",
    "render_markdown",
    "write_bulletin",
    "write_docx",
    "write_pdf",
]
