"""Phase 4: compose the variant's HTML with Jinja, in the sandbox of
sandbox.py. Content is data passed to the templates, never compiled as a
template itself."""

import re
import traceback
from contextvars import ContextVar
from functools import lru_cache

import segno
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
from markupsafe import Markup

from . import __version__
from .markdown import Markdown
from .sandbox import ThemeEnvironment
from .theme import FitStep, ThemeError

VARIANT_TEMPLATE = "variants/{}.html"
# The render's markdown renderer and language, for the filters: kept out of the
# templates' reach (a template sees only data).
_RENDER = ContextVar("render")


def compose_html(brief, theme, spec, fit_step=None):
    """The variant's HTML. A variant with a page budget gets its spacing and type
    size tokens from its settings (the design's, or fit_step's)."""
    try:
        return _render(brief, theme, spec, fit_step)
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


def _render(brief, theme, spec, fit_step):
    environment = template_environment(theme)
    template = environment.get_template(VARIANT_TEMPLATE.format(spec.name))
    references = [ref["id"] for ref in brief["references"]]
    token = _RENDER.set((Markdown(references, brief["language"], citations=spec.citations), brief["language"]))
    try:
        return environment.render(
            template,
            brief=brief,
            variant=spec.name,
            theme=theme.name,
            brand=theme.brand,
            stylesheets=theme.stylesheets(spec.name),
            fit_css=Markup((fit_step or FitStep(1.0, spec.body_size)).css()) if spec.pages else "",
            generator=f"brief {__version__}",
        )
    finally:
        _RENDER.reset(token)


@lru_cache(maxsize=16)
def template_environment(theme):
    """One sandboxed Jinja environment per theme: autoescaped, strict about undefined names."""
    environment = ThemeEnvironment(theme.loader)
    environment.filters.update(
        markdown=lambda text: _markdown().block(text),
        markdown_inline=lambda text: _markdown().inline(text),
        typeset=lambda text: _markdown().text(text),
        plain=lambda text: _markdown().plain(text),
        long_date=lambda date: format_date(date, "long", locale=_locale()),
        first_sentence=lambda text: _markdown().text(_first_sentence(_markdown().plain(text))),
        short_url=lambda url: re.sub(r"^https?://(www\.)?", "", url).rstrip("/"),
        qr_code=_qr_code,
    )
    return environment


def _markdown():
    return _RENDER.get()[0]


def _first_sentence(text):
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def _qr_code(url):
    """A QR code of the URL as an SVG data URI (printed with the URL beside it)."""
    return segno.make(url, error="m").svg_data_uri(border=0, dark="#000")


def _locale():
    try:
        return Locale.parse(_RENDER.get()[1], sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale("en")
