"""Phase 5: lay the HTML out once with WeasyPrint and write the PDF atomically."""

import logging
import os
import tempfile
import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .problems import BriefError, Problem

LOGGER = logging.getLogger("weasyprint")


class LocalFetcher(URLFetcher):
    """Serves local files and data: URIs only; a brief never reaches the network."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)


def layout(html, base_dir, shown_path):
    """Lay the document out once; a resource that fails to load is an error."""
    with _weasyprint_messages() as messages:
        try:
            document = HTML(string=html, base_url=Path(base_dir).resolve().as_uri() + "/",
                            url_fetcher=LocalFetcher()).render()
        except Exception as error:  # a WeasyPrint failure must reach the author as one line
            raise BriefError([Problem(shown_path, 1, "", f"layout failed: {type(error).__name__}: {error}")]) from None
    failures = [m for m in messages if m.startswith("Failed to load")]
    if failures:
        raise BriefError([Problem(shown_path, 1, "", failure) for failure in failures])
    return document, [m for m in messages if m not in failures]


def write_pdf(document, target):
    with atomic_file(target, "wb") as file:
        document.write_pdf(file)


def write_text(text, target):
    with atomic_file(target, "w") as file:
        file.write(text)


@contextmanager
def atomic_file(target, mode):
    """Write next to the target, then rename: a failed write never leaves a
    half-written file, nor removes the previous good one."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as file:
            yield file
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def missing_characters(document, font_files):
    """Characters of the laid-out text that none of the theme's fonts has."""
    covered = set().union(*(_characters_of(str(file)) for file in font_files)) if font_files else set()
    used = set()
    for page in document.pages:
        used.update(_text_of(page._page_box))
    return sorted(c for c in used if ord(c) not in covered and not _invisible(c))


def _text_of(box):
    text = getattr(box, "text", None)
    if isinstance(text, str):
        yield from text
    for child in getattr(box, "children", ()):
        yield from _text_of(child)


def _invisible(character):
    return character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Zs")


@lru_cache(maxsize=None)
def _characters_of(font_file):
    from fontTools.ttLib import TTFont
    with TTFont(font_file, lazy=True) as font:
        return frozenset(font.getBestCmap())


@contextmanager
def _weasyprint_messages():
    """Collect WeasyPrint's warnings during one layout instead of printing them."""
    messages = []

    class Collector(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    handler = Collector(logging.WARNING)
    LOGGER.addHandler(handler)
    propagate, LOGGER.propagate = LOGGER.propagate, False
    try:
        yield messages
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.propagate = propagate
