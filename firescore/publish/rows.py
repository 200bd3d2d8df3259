"""How wide a text is and how tall a row must be to show it: the one sizing rule of every sheet.

Excel fits the height of a wrapped row itself when it opens a file; LibreOffice, PDF converters
and other readers keep the stored height, so text is drawn over the next rows. Every writer sets
the height it needs, estimated here, so each reader prints the same page.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable

from xlsxwriter.worksheet import Worksheet

from firescore.publish.formats import FONT_SIZE

WIDE = "WF"  # east-asian width classes drawn two units wide (CJK, full-width forms)
CELL_MARGIN = 1  # width units the cell's inner margins take from the text
# Line height over font size: 宋体 in Excel ≈ 1.3, Noto CJK (LibreOffice's stand-in) ≈ 1.25;
# the larger keeps every reader's lines inside the row.
LINE_SPACING = 1.35
ROW_PADDING = 3  # points of air above and below the text
MAX_ROW_HEIGHT = 409  # points: Excel refuses taller rows (about 27 lines of 11 pt text)
TOKEN = re.compile(r"[!-~]+|\s|.", re.DOTALL)  # a Latin word stays whole; a CJK character is one
WORD = re.compile(r"[!-~]+")  # a Latin word: TOKEN's first kind


@functools.lru_cache(maxsize=65536)
def char_width(char: str) -> int:
    """Return how many width units a character takes: 2 for CJK and full-width, else 1."""
    return 2 if unicodedata.east_asian_width(char) in WIDE else 1


@functools.lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Return the width of ``text`` in Excel character units, a CJK character counting as 2.

    xlsxwriter's autofit() counts a CJK character like a Latin one, so Chinese columns come
    out too narrow (STACK.md §5); multi-line text is as wide as its widest line.
    """
    if text.isascii():
        return max(map(len, text.split("\n")))
    return max(sum(map(char_width, line)) for line in text.split("\n"))


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """Return the width of one line of ``text`` at ``font_size``, in column width units."""
    return display_width(text) * font_size / FONT_SIZE


@functools.lru_cache(maxsize=65536)
def text_lines(text: str, width: float, font_size: float = FONT_SIZE) -> int:
    """Return how many lines ``text`` wraps to in a column ``width`` units wide.

    Explicit line breaks start a line; a Latin word moves whole to the next line unless it is
    longer than a line; CJK text breaks between any two characters.
    """
    scale = font_size / FONT_SIZE
    usable = max(1.0, width - CELL_MARGIN)
    # Most cells fit on one line: then no need to follow the breaks (exact at the body size,
    # where every width is a whole number).
    if scale == 1 and "\n" not in text and display_width(text) <= usable:
        return 1
    return sum(paragraph_lines(paragraph, usable, scale) for paragraph in text.split("\n"))


def paragraph_lines(paragraph: str, usable: float, scale: float) -> int:
    """Return how many lines one paragraph (no line break) wraps to in ``usable`` width units."""
    if scale == 1 and usable >= 2:
        lines = body_lines(paragraph, usable)
        if lines is not None:
            return lines
    return token_lines(paragraph, usable, scale)


def token_lines(paragraph: str, usable: float, scale: float) -> int:
    """Return the lines of one paragraph, following it token by token: the wrapping rule."""
    lines = 1
    used = 0.0
    for token in TOKEN.findall(paragraph):
        size = sum(map(char_width, token)) * scale
        if used + size <= usable or (token.isspace() and used > 0):
            used += size
            continue
        if size <= usable:
            lines += 1
            used = 0.0 if token.isspace() else size
            continue
        # A token longer than a line is broken by characters.
        for char in token:
            step = char_width(char) * scale
            if used + step > usable and used > 0:
                lines += 1
                used = 0.0
            used += step
    return lines


def body_lines(paragraph: str, usable: float) -> int | None:
    """Return the lines of a paragraph at the body size (None: a Latin word longer than a line).

    The same breaks as following the paragraph token by token (token_lines), found by
    bisection on the running widths, several times faster for a ledger's long 说明 texts: a
    line ends before the first character that overflows it, or before the Latin word that
    character is part of; spaces overflowing a line hang at its end.
    """
    ends = list(itertools.accumulate(map(char_width, paragraph)))
    words = [match.span() for match in WORD.finditer(paragraph)]
    if any(end - start > usable for start, end in words):
        return None  # broken by characters: the token by token rule
    word_starts = [start for start, _ in words]
    lines, start, before = 1, 0, 0  # before: the width of the lines above
    while ends and ends[-1] - before > usable:
        cut = bisect.bisect_right(ends, before + usable, start)  # characters [start, cut) fit
        if paragraph[cut].isspace():
            while cut < len(paragraph) and paragraph[cut].isspace():
                cut += 1
            if cut == len(paragraph):
                break
        else:
            word = bisect.bisect_right(word_starts, cut) - 1
            if word >= 0 and word_starts[word] < cut < words[word][1]:
                cut = word_starts[word]  # the word moves whole to the next line
        start, before = cut, ends[cut - 1]
        lines += 1
    return lines


def row_height(lines: int, font_size: float = FONT_SIZE) -> float:
    """Return the height in points of a row showing ``lines`` lines at ``font_size`` (≤ 409)."""
    return min(MAX_ROW_HEIGHT, math.ceil(lines * line_height(font_size) + ROW_PADDING))


def line_height(font_size: float = FONT_SIZE) -> float:
    """Return the height in points of one line of text at ``font_size``."""
    return font_size * LINE_SPACING


def fit_row(
    ws: Worksheet, row: int, cells: Iterable[tuple[str, float]], font_size: float = FONT_SIZE
) -> float:
    """Set ``row`` as tall as its tallest (text, column width) cell needs; return the height."""
    lines = max((text_lines(text, width, font_size) for text, width in cells if text), default=1)
    height = row_height(lines, font_size)
    ws.set_row(row, height)
    return height
