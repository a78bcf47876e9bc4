"""Lay the HTML out with WeasyPrint (fonts, confined fetches, PDF standards) and write the PDF atomically."""

import atexit
import datetime
import io
import logging
import mimetypes
import os
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ..util import cache
from . import cmyk, standards
from .engine import adapt_weasyprint_for_layout, adapt_weasyprint_for_writing, text_runs
from .standards import DEFAULT_STANDARD
from ..util.files import MAX_IMAGE_BYTES, MB, FileRefused, check_served, read_bytes, regular_file
from ..problems import BriefError, Problem
from ..util.atomic import atomic_file

LOGGER = logging.getLogger("weasyprint")
PROGRESS_LOGGER = logging.getLogger("weasyprint.progress")
CSS_STEP = re.compile(r"Step 2 - Fetching and parsing CSS - (.*)")
CSS_POSITION = re.compile(r" at (\d+):(\d+)\b")
MAX_RESOURCE_BYTES = 50 * MB   # a stylesheet or font the layout reads; images are held to 20 MB
IMAGE_TYPES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")


@dataclass(frozen=True)
class Limits:
    """Bounds on one document, so no brief can hang the tool, exhaust its
    memory or fill the disk (time and memory: see bounds.py)."""
    seconds: int = 60                  # the whole build of one document
    pages: int = 200
    memory: int = 3 * 2 ** 29          # 1.5 GB of memory for one document (bounds.memory_cap)


@lru_cache(maxsize=1)
def sandbox_fetcher_class():
    """The fetcher class, made on first use: importing WeasyPrint costs 0.4 s,
    which a build with nothing to do should not pay."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Served(URLFetcherResponse):
        """No path: WeasyPrint would read an image's file again, past files.py."""
        path = None

    class SandboxFetcher(URLFetcher):
        """Every resource of a render comes through here: files inside the allowed
        folders read by files.py (after resolving symlinks and '..', bounded, no
        special files) and data: URIs; nothing else, and never the network.
        Images, including those an SVG refers to, are checked before anything
        decodes them."""

        def __init__(self, roots):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.roots = [Path(root).resolve() for root in roots]
            self.refused = []
            self.served = []   # every file read, for the manifest of incremental builds

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "file":
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in self.roots):
                    return self._refuse(f"{path} is outside the brief's and the theme's folders")
                try:
                    limit = MAX_IMAGE_BYTES if path.suffix.lower() in IMAGE_TYPES else MAX_RESOURCE_BYTES
                    body = read_bytes(path, self.roots, limit, name=str(path), what="images" if
                                      limit == MAX_IMAGE_BYTES else "stylesheets and fonts")
                except FileRefused as error:
                    return self._refuse(str(error))
                self.served.append(path)
                response = Served(url, body, {"Content-Type": mimetypes.guess_type(path.name)[0] or "text/plain"})
            elif scheme == "data":
                response = super().fetch(url, headers)
                body = response.read(MAX_RESOURCE_BYTES + 1)
                response = Served(url, body, response.headers)
            else:
                return self._refuse(f"{url}: only files of the brief and the theme are read, never the network")
            try:
                check_served(body, str(path) if scheme == "file" else url[:40] + "...")
            except FileRefused as error:
                return self._refuse(str(error))
            return response

        def _refuse(self, reason):
            self.refused.append(reason)
            raise ValueError(reason)

    return SandboxFetcher


@dataclass
class Layout:
    html: str                # what was laid out
    document: object
    messages: list           # WeasyPrint's warnings
    refused: list            # resources the fetcher refused; drawing SVG images can add more
    shown_path: str
    standard: str = DEFAULT_STANDARD
    served: list = field(default_factory=list)   # files the fetcher read; drawing SVG images can add more
    images: dict = field(default_factory=dict)   # the images the layout loaded, by URL (balance.py places them again)


def layout(html, base_dir, shown_path, roots=(), limits=Limits(), standard=DEFAULT_STANDARD, extra_css=None):
    """Lay the document out once, within the limits, tagged for the PDF
    standard; a resource that is refused or fails to load is an error.
    extra_css: rules that win over the document's own stylesheets."""
    from weasyprint import CSS, HTML

    adapt_weasyprint_for_layout()
    fetcher = sandbox_fetcher_class()([base_dir, *roots])
    images = {}
    with _weasyprint_messages() as messages:
        try:
            document = HTML(string=html, base_url=Path(base_dir).resolve().as_uri() + "/",
                            url_fetcher=fetcher).render(
                font_config=_font_configuration(tuple(roots)), cache=images,
                stylesheets=[CSS(string=extra_css)] if extra_css else None, **_pdf_options(standard))
        except BriefError:
            raise
        except Exception as error:  # a WeasyPrint failure must reach the author as one line
            raise BriefError([Problem(shown_path, 1, "", f"layout failed: {type(error).__name__}: {error}")]) from None
    failures = _refusals(fetcher.refused) or [message for message in messages if message.startswith("Failed to load")]
    if len(document.pages) > limits.pages:
        failures.append(f"the layout has {len(document.pages)} pages, over the limit of {limits.pages} (--max-pages)")
    if failures:
        raise BriefError([Problem(shown_path, 1, "", failure) for failure in failures])
    messages = [message for message in messages if not message.startswith("Failed to load")]
    return Layout(html, document, messages, fetcher.refused, shown_path, standard, fetcher.served, images)


def _pdf_options(standard):
    return standards.pdf_options(standard)


def _refusals(reasons):
    return [f"resource refused: {reason}" for reason in dict.fromkeys(reasons)]


@lru_cache(maxsize=4)
def _font_configuration(roots):
    """One Fontconfig set-up per theme and process, not one per layout: each
    new one cost memory that was never given back (about 0.3 MB per layout in
    a warm worker). Per theme, because the @font-face fonts a theme adds stay
    in it, and another theme may name a family the same."""
    from weasyprint.text.fonts import FontConfiguration
    if not _font_configuration.cache_info().currsize:
        # Dropped before the interpreter tears its modules down: its __del__
        # (removing its font folder) fails with a traceback after that.
        atexit.register(_font_configuration.cache_clear)
    return FontConfiguration()


def write_pdf(laid_out, target, date, cmyk_profile=None, stylesheet_text=""):
    """Write the PDF; the same input gives the same bytes. Images inside SVG
    are fetched while drawing, so refusals are checked again before the PDF
    takes the target's place. For print (PDF/X), the colours are converted to
    the CMYK profile's; returns the warnings of that conversion."""
    adapt_weasyprint_for_writing()
    warnings = []
    with atomic_file(target, "wb") as file, _source_date(date):
        written = io.BytesIO() if standards.is_print(laid_out.standard) else file
        laid_out.document.write_pdf(written, finisher=standards.finisher(laid_out.standard),
                                    **_pdf_options(laid_out.standard))
        if laid_out.refused:
            raise BriefError([Problem(laid_out.shown_path, 1, "", reason) for reason in _refusals(laid_out.refused)])
        if written is not file:
            converted, warnings = cmyk.convert(written.getvalue(), cmyk.load_profile(cmyk_profile), stylesheet_text)
            file.write(converted)
    return warnings


@contextmanager
def _source_date(date):
    """fontTools (WeasyPrint's subsetter without HarfBuzz) stamps each embedded
    font with the current time unless SOURCE_DATE_EPOCH says otherwise."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    midnight = datetime.datetime.combine(date, datetime.time(), datetime.timezone.utc)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(midnight.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def missing_characters(document, font_files):
    """Characters of the laid-out text that no theme family of their run's list
    draws (per-script fallback: any family of the list may). A family's
    characters are read only when an earlier one lacks a character, so an
    English brief never reads the large cmaps of a CJK collection."""
    faces = _faces_by_family(tuple(font_files))
    text_by_families = {}   # the same family list runs through most of a document: one check each
    for run in text_runs(document):
        text_by_families.setdefault(tuple(run.families), set()).update(run.text)
    missing = set()
    for families, characters in text_by_families.items():
        left = {character for character in characters if not _invisible(character)}
        for family in families:
            if not left:
                break
            drawn = _characters(faces.get(family, ()))
            left = {character for character in left if ord(character) not in drawn}
        missing |= left
    return sorted(missing)


def _invisible(character):
    return character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Zs")


@lru_cache(maxsize=8)
def _faces_by_family(font_files):
    """Family name -> its faces as (file, index in the file): a collection holds
    several (Noto Sans CJK KR, SC, ...)."""
    faces = {}
    for file in font_files:
        for index, family in enumerate(_families_in(file)):
            faces.setdefault(family, []).append((file, index))
    return {family: tuple(found) for family, found in faces.items()}


@lru_cache(maxsize=64)
def _families_in(file):
    def read():
        with _opened(file) as opened:
            return [font["name"].getBestFamilyName() for font in getattr(opened, "fonts", [opened])]
    return tuple(cache.remembered("font-families", _font_stamp(file), read))


@lru_cache(maxsize=32)
def _characters(faces):
    return frozenset().union(*(_characters_of(file, index) for file, index in faces))


@lru_cache(maxsize=64)
def _characters_of(file, index):
    def read():
        with _opened(file) as opened:
            return _ranges(getattr(opened, "fonts", [opened])[index].getBestCmap())
    return frozenset(code for first, last in cache.remembered("font-characters", [*_font_stamp(file), index], read)
                     for code in range(first, last + 1))


def _ranges(codes):
    """[[first, last], ...] of the code points: a CJK font's 45,000 in a few hundred pairs."""
    ranges = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return ranges


def _font_stamp(file):
    """What names a font file's content for the cache, once files.py has found
    it a regular file of its folder."""
    resolved, status = regular_file(file, Path(file).parent, where="the theme's folder")
    return [str(resolved), status.st_size, status.st_mtime_ns, status.st_ino]


def _opened(file):
    """A font file, read lazily from disk (a CJK collection is 20 MB and more),
    once files.py has found it a regular file of its folder."""
    from fontTools.ttLib import TTCollection, TTFont
    resolved, _ = regular_file(file, Path(file).parent, where="the theme's folder")
    return (TTCollection if resolved.suffix.lower() == ".ttc" else TTFont)(resolved, lazy=True)


@contextmanager
def _weasyprint_messages():
    """Collect WeasyPrint's warnings during one layout instead of printing them."""
    messages = []
    stylesheet = []  # the stylesheet being parsed, from WeasyPrint's progress messages

    class Collector(logging.Handler):
        def emit(self, record):
            if record.name == PROGRESS_LOGGER.name:
                found = CSS_STEP.match(record.getMessage())
                stylesheet[:] = [found.group(1)] if found else []
            elif record.levelno >= logging.WARNING:
                messages.append(_located(_message(record), stylesheet))

    handler = Collector(logging.INFO)
    for logger in (LOGGER, PROGRESS_LOGGER):
        logger.addHandler(handler)
    propagate, LOGGER.propagate = LOGGER.propagate, False
    level = PROGRESS_LOGGER.level
    PROGRESS_LOGGER.setLevel(logging.INFO)  # setLevel, not .level =: it clears the logger's cache
    progress_propagate, PROGRESS_LOGGER.propagate = PROGRESS_LOGGER.propagate, False
    try:
        yield messages
    finally:
        for logger in (LOGGER, PROGRESS_LOGGER):
            logger.removeHandler(handler)
        LOGGER.propagate = propagate
        PROGRESS_LOGGER.setLevel(level)
        PROGRESS_LOGGER.propagate = progress_propagate


def _message(record):
    """The record's text; an error of WeasyPrint's with no words of its own
    ("Failed to load image at '...': ") says its cause's instead."""
    if isinstance(record.args, tuple):
        record.args = tuple(argument.__cause__ if isinstance(argument, Exception) and not str(argument)
                            and argument.__cause__ else argument for argument in record.args)
    return record.getMessage()


def _located(message, stylesheet):
    """'Ignored `colr: red` at 11:38, ...' -> 'styles/x/brief.css:11:38: Ignored ...':
    WeasyPrint gives the line and column, the stylesheet is the one being parsed."""
    position = CSS_POSITION.search(message)
    if not (position and stylesheet and stylesheet[0].startswith("file:")):
        return message
    path = Path(url2pathname(urlsplit(stylesheet[0]).path))
    try:
        path = path.relative_to(Path.cwd())
    except ValueError:
        pass
    message = message[:position.start()] + message[position.end():]  # the position leads the line instead
    return f"{path}:{position.group(1)}:{position.group(2)}: {message}"


def names_a_stylesheet(message):
    """Does a layout message name its stylesheet (not the brief) already?"""
    return re.match(r"[^:]+\.css:\d+:\d+: ", message) is not None
