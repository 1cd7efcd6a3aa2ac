"""A minimal document model rendered both as Markdown and as self-contained HTML.

A report is a list of blocks; the same list gives ``report.md`` (images linked by
relative path) and ``report.html`` (images embedded as base64, inline CSS only)::

    blocks = [Heading(1, "Report"), Paragraph("Plain text with **bold**.")]
    Path("report.md").write_text(to_markdown(blocks))
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Readable at 100% zoom without any external resource.
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.5;
  color: #222; }
h1, h2, h3 { line-height: 1.2; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left;
  vertical-align: top; }
th { background: #f2f2f2; }
tr:nth-child(even) td { background: #fafafa; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.92em; }
code { background: #f4f4f4; padding: 0 0.2em; }
li { margin: 0.2em 0; }
"""


@dataclass(frozen=True)
class Heading:
    """A section heading; ``level`` 1 is the document title."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``**bold**`` and ```code``` are the only inline markup."""

    text: str


@dataclass(frozen=True)
class BulletList:
    """A bulleted list of paragraphs."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of preformatted cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Image:
    """A PNG figure: linked by ``path`` in Markdown, embedded in HTML."""

    path: str
    caption: str
    png: bytes


Block = Heading | Paragraph | BulletList | Table | Image


def table(header: Sequence[object], rows: Sequence[Sequence[object]]) -> Table:
    """Build a Table, turning every cell into a string."""
    return Table(
        tuple(str(cell) for cell in header),
        tuple(tuple(str(cell) for cell in row) for row in rows),
    )


def to_markdown(blocks: Sequence[Block]) -> str:
    """Render blocks as GitHub-flavoured Markdown."""
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, BulletList):
            parts.append("\n".join(f"- {item}" for item in block.items))
        elif isinstance(block, Table):
            lines = [
                _markdown_row(block.header),
                _markdown_row(["---"] * len(block.header)),
            ]
            lines.extend(_markdown_row(row) for row in block.rows)
            parts.append("\n".join(lines))
        else:
            parts.append(f"![{block.caption}]({block.path})\n\n*{block.caption}*")
    return "\n\n".join(parts) + "\n"


def to_html(blocks: Sequence[Block], title: str) -> str:
    """Render blocks as one HTML page with inline CSS and embedded PNG images."""
    body = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p>{_inline(block.text)}</p>")
        elif isinstance(block, BulletList):
            items = "".join(f"<li>{_inline(item)}</li>" for item in block.items)
            body.append(f"<ul>{items}</ul>")
        elif isinstance(block, Table):
            header = "".join(f"<th>{_inline(cell)}</th>" for cell in block.header)
            rows = "".join(
                "<tr>" + "".join(f"<td>{_inline(cell)}</td>" for cell in row) + "</tr>"
                for row in block.rows
            )
            body.append(
                f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"
            )
        else:
            encoded = base64.b64encode(block.png).decode("ascii")
            caption = _inline(block.caption)
            body.append(
                f'<figure><img src="data:image/png;base64,{encoded}" '
                f'alt="{html.escape(block.caption)}"><figcaption>{caption}'
                "</figcaption></figure>"
            )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _markdown_row(cells: Sequence[str]) -> str:
    """One Markdown table row; a pipe inside a cell is escaped."""
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _inline(text: str) -> str:
    """Escape text for HTML and translate ``**bold**`` and ```code```."""
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", escaped)
