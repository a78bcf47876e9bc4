"""Phase 4: compose the variant's HTML with Jinja, in the sandbox of
sandbox.py. Content is data passed to the templates, never compiled as a
template itself."""

import re
import traceback
from contextvars import ContextVar
from functools import lru_cache

import babel
from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
from markupsafe import Markup

from . import __version__, cache
from .glyphs import by_script
from .labels import direction, install_labels, locale_of
from .markdown import Markdown
from .sandbox import ThemeEnvironment
from .theme import FitStep, ThemeError

VARIANT_TEMPLATE = "variants/{}.html"
BREAK_EVERY = 20   # characters of a long word or URL between the break chances `breakable` adds
LONG_WORD = re.compile(r"(?:&[#\w]+;|[^\s<>&]){%d,}" % (BREAK_EVERY + 1))
CHARACTER = re.compile(r"&[#\w]+;|[^&]")
TAG = re.compile(r"(<[^>]*>)")
# The render's markdown renderer and language, for the filters: kept out of the
# templates' reach (a template sees only data).
_RENDER = ContextVar("render")


def compose_html(brief, theme, spec):
    """The variant's HTML. A variant with a page budget gets the design's spacing
    and type size tokens; a fit step overrides them at layout (writers/pdf.py)."""
    try:
        return _render(brief, theme, spec)
    except TemplateSyntaxError as error:
        raise ThemeError(f"{error.filename}:{error.lineno}: template syntax error: {error.message}") from None
    except TemplateNotFound as error:
        raise ThemeError(f"{_template_frame(error)}: template error: template '{error.name}' not found "
                         "in the theme's templates/ folders") from None
    except TemplateError as error:
        raise ThemeError(f"{_template_frame(error)}: template error: {error.message}") from None


def _template_frame(error):
    """file:line of the innermost template the error passed through."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.endswith(".html")]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "template"


def _render(brief, theme, spec):
    language = brief["language"]
    environment = template_environment(theme, language)
    template = environment.get_template(VARIANT_TEMPLATE.format(spec.name))
    references = [ref["id"] for ref in brief["references"]]
    token = _RENDER.set((Markdown(references, language, citations=spec.citations), language))
    try:
        html = _render_with(environment, template, brief, theme, spec, language, "")
        # The fonts of the scripts the page holds (content and labels alike).
        faces = theme.brand.script_faces(by_script(set(html)))
        return _render_with(environment, template, brief, theme, spec, language, faces) if faces else html
    finally:
        _RENDER.reset(token)


def _render_with(environment, template, brief, theme, spec, language, script_fonts):
    return environment.render(
        template,
        script_fonts=Markup(script_fonts),
        brief=brief,
        variant=spec.name,
        theme=theme.name,
        brand=theme.brand,
        stylesheets=theme.stylesheets(spec.name),
        fit_css=Markup(FitStep(1.0, spec.body_size).css()) if spec.pages else "",
        generator=f"brief {__version__}",
        direction=direction(language),
    )


@lru_cache(maxsize=16)
def template_environment(theme, language="en"):
    """One sandboxed Jinja environment per theme and language: autoescaped,
    strict about undefined names, with the language's labels."""
    environment = ThemeEnvironment(theme.loader)
    environment.filters.update(
        markdown=lambda text: _markdown().block(text),
        markdown_inline=lambda text: _markdown().inline(text),
        typeset=lambda text: _markdown().text(text),
        plain=lambda text: _markdown().plain(text),
        long_date=lambda date: long_date(date, _RENDER.get()[1]),
        first_sentence=lambda text: _markdown().text(_first_sentence(_markdown().plain(text))),
        short_url=lambda url: re.sub(r"^https?://(www\.)?", "", url).rstrip("/"),
        qr_code=_qr_code,
        breakable=_breakable,
    )
    install_labels(environment, theme.template_dirs, language)
    environment.allow_globals()   # the labels' gettext functions, which templates call
    return environment


def long_date(date, language):
    """'15 November 2025' in the language (Babel's CLDR), kept by the cache
    (cache.py): loading a language's CLDR data costs more than the rest."""
    def formatted():
        from babel.dates import format_date
        return format_date(date, "long", locale=locale_of(language))
    return cache.remembered("long-dates", [date.isoformat(), str(language), babel.__version__], formatted)


def _markdown():
    return _RENDER.get()[0]


def _breakable(html):
    """Markup with a break chance (<wbr>) every BREAK_EVERY characters of a long
    word or URL, so that it breaks in a narrow table column instead of running
    off the page. (CSS `overflow-wrap: anywhere` would do the same, but
    WeasyPrint 70 sizes table columns in time quadratic in the word's length.)"""
    parts = TAG.split(str(html))
    for index in range(0, len(parts), 2):  # the text between tags
        parts[index] = LONG_WORD.sub(lambda match: _with_breaks(match.group()), parts[index])
    return Markup("".join(parts))


def _with_breaks(word):
    characters = CHARACTER.findall(word)  # an entity such as &amp; is one character
    return "<wbr>".join("".join(characters[start:start + BREAK_EVERY])
                        for start in range(0, len(characters), BREAK_EVERY))


def _first_sentence(text):
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def _qr_code(url):
    """A QR code of the URL as an SVG data URI (printed with the URL beside it)."""
    import segno  # only the variants that print one
    return segno.make(url, error="m").svg_data_uri(border=0, dark="#000")
