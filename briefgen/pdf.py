"""Phase 5: lay the HTML out once with WeasyPrint and write the PDF atomically."""

import atexit
import datetime
import logging
import os
import re
import tempfile
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .problems import BriefError, Problem

LOGGER = logging.getLogger("weasyprint")


@dataclass(frozen=True)
class Limits:
    """Bounds on one document, so no brief can hang the tool, exhaust its
    memory or fill the disk (time and memory: see bounds.py)."""
    seconds: int = 60                  # the whole build of one document
    pages: int = 200
    memory: int = 3 * 2 ** 29          # 1.5 GB of address space for one document


@lru_cache(maxsize=1)
def sandbox_fetcher_class():
    """The fetcher class, made on first use: importing WeasyPrint costs 0.4 s,
    which a build with nothing to do should not pay."""
    from weasyprint.urls import URLFetcher

    class SandboxFetcher(URLFetcher):
        """Every resource of a render comes through here: files inside the allowed
        folders (after resolving symlinks and '..') and data: URIs; nothing else,
        and never the network."""

        def __init__(self, roots):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.roots = [Path(root).resolve() for root in roots]
            self.refused = []

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "file":
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in self.roots):
                    return self._refuse(f"{path} is outside the brief's and the theme's folders")
            elif scheme != "data":
                return self._refuse(f"{url}: only files of the brief and the theme are read, never the network")
            return super().fetch(url, headers)

        def _refuse(self, reason):
            self.refused.append(reason)
            raise ValueError(reason)

    return SandboxFetcher


# --pdf-standard -> WeasyPrint's PDF variant. Every output is tagged; PDF/UA-1
# is the default, the PDF/A levels are for archives.
PDF_STANDARDS = {
    "ua-1": "pdf/ua-1",
    "a-1b": "pdf/a-1b", "a-2b": "pdf/a-2b", "a-3b": "pdf/a-3b",
    "a-2u": "pdf/a-2u", "a-3u": "pdf/a-3u",
    "a-2a": "pdf/a-2a", "a-3a": "pdf/a-3a",
}
DEFAULT_STANDARD = "ua-1"


@dataclass
class Layout:
    html: str                # what was laid out
    document: object
    messages: list           # WeasyPrint's warnings
    refused: list            # resources the fetcher refused; drawing SVG images can add more
    shown_path: str
    standard: str = DEFAULT_STANDARD


def layout(html, base_dir, shown_path, roots=(), limits=Limits(), standard=DEFAULT_STANDARD):
    """Lay the document out once, within the limits, tagged for the PDF
    standard; a resource that is refused or fails to load is an error."""
    from weasyprint import HTML

    fetcher = sandbox_fetcher_class()([base_dir, *roots])
    with _weasyprint_messages() as messages:
        try:
            document = HTML(string=html, base_url=Path(base_dir).resolve().as_uri() + "/",
                            url_fetcher=fetcher).render(font_config=_font_configuration(tuple(roots)),
                                                        **_pdf_options(standard))
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
    return Layout(html, document, messages, fetcher.refused, shown_path, standard)


def _pdf_options(standard):
    return {"pdf_variant": PDF_STANDARDS[standard], "pdf_tags": True}


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


def write_pdf(laid_out, target, date):
    """Write the PDF; the same input gives the same bytes. Images inside SVG
    are fetched while drawing, so refusals are checked again before the PDF
    takes the target's place."""
    with atomic_file(target, "wb") as file, _source_date(date):
        laid_out.document.write_pdf(file, **_pdf_options(laid_out.standard))
        if laid_out.refused:
            raise BriefError([Problem(laid_out.shown_path, 1, "", reason) for reason in _refusals(laid_out.refused)])


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


def write_text(text, target):
    with atomic_file(target, "w") as file:
        file.write(text)


@contextmanager
def atomic_file(target, mode):
    """Write next to the target, then rename: a failed write never leaves a
    half-written file, nor removes the previous good one."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The writer's process id in the name tells a killed build's leftover
    # from a running build's file (remove_stale_temporaries).
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(handle, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as file:
            yield file
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


TEMPORARY = re.compile(r"\..+?\.(\d+)\.\w+\.tmp")


def remove_stale_temporaries(folder):
    """Remove what atomic_file() left behind in a build that was killed:
    temporary files of processes that no longer run, and this process's own
    (called when nothing of this process is writing)."""
    for path in Path(folder).glob(".*.tmp"):
        match = TEMPORARY.fullmatch(path.name)
        if match is None or not _running(int(match.group(1))) or int(match.group(1)) == os.getpid():
            path.unlink(missing_ok=True)


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def missing_characters(document, font_files):
    """Characters of the laid-out text that the theme's font for their box lacks."""
    coverage = _coverage_by_family(tuple(font_files))
    missing = set()
    for page in document.pages:
        for box in _text_boxes(page._page_box):
            family = next((f for f in box.style["font_family"] if f in coverage), None)
            covered = coverage.get(family, frozenset())
            missing.update(c for c in box.text if ord(c) not in covered and not _invisible(c))
    return sorted(missing)


def displaced_footnotes(document):
    """(number, call page, note page) of footnotes printed on another page than their call."""
    note_pages = {name: number for number, page in enumerate(document.pages, 1) for name in page.anchors}
    return [(target.removeprefix("footnote-"), number, note_pages[target])
            for number, page in enumerate(document.pages, 1)
            for kind, target, *_ in page.links
            if kind == "internal" and target.startswith("footnote-") and note_pages.get(target, number) != number]


def _text_boxes(box):
    if isinstance(getattr(box, "text", None), str):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


def _invisible(character):
    return character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Zs")


@lru_cache(maxsize=8)
def _coverage_by_family(font_files):
    """Family name -> the characters its font files cover."""
    from fontTools.ttLib import TTFont
    coverage = {}
    for file in font_files:
        with TTFont(file, lazy=True) as font:
            family = font["name"].getBestFamilyName()
            coverage[family] = coverage.get(family, frozenset()) | frozenset(font.getBestCmap())
    return coverage


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
