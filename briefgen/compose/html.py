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

from .. import __version__
from ..util import cache
from ..content.citations import Citer, Library
from .glyphs import by_script
from .labels import direction, install_labels, locale_of
from ..content.markdown import Markdown
from ..theme.sandbox import ThemeEnvironment
from ..theme.resolve import FitStep, ThemeError

VARIANT_TEMPLATE = "variants/{}.html"
BREAK_EVERY = 20   # characters of a long word or URL between the break chances `breakable` adds
LONG_WORD = re.compile(r"(?:&[#\w]+;|[^\s<>&]){%d,}" % (BREAK_EVERY + 1))
CHARACTER = re.compile(r"&[#\w]+;|[^&]")
TAG = re.compile(r"(<[^>]*>)")
# The render's markdown renderer and language, for the filters: kept out of the
# templates' reach (a template sees only data).
_RENDER = ContextVar("render")


def compose_html(brief, theme, spec, library=None, edition=None, editions=(), stylesheets=None):
    """The variant's HTML. A variant with a page budget gets the design's spacing
    and type size tokens; a fit step overrides them at layout (writers/pdf.py).
    library: the brief's bibliography (citations.Library) for its citations;
    edition: another edition of the variant (the web page, writers/web.py):
    its templates are <edition>/<variant>.html, its stylesheets <edition>.css;
    editions: the PDFs it links to (manifest.pdf_editions); stylesheets: the
    names of the stylesheets, in cascade order, when not the edition's or the
    variant's alone (the changes document: ("full", "changes"))."""
    try:
        return _render(brief, theme, spec, library, edition, editions, stylesheets)
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


def _render(brief, theme, spec, library, edition=None, editions=(), stylesheets=None):
    language = brief["language"]
    environment = template_environment(theme, language)
    template = environment.get_template(f"{edition}/{spec.name}.html" if edition
                                        else VARIANT_TEMPLATE.format(spec.name))
    context = {"stylesheets": theme.stylesheets(*(stylesheets or (edition or spec.name,))),
               "editions": [{**pdf, "url": pdf["file"].as_uri()} for pdf in editions]}
    citer = Citer()
    html = _render_with(environment, template, brief, theme, spec, language, "", citer, context)
    if citer.recorded or (spec.citations and brief["references"]):
        # The citations in reading order are known now: format them and the list, and render again.
        formatted = (library or Library()).format(brief, citer.recorded)
        brief = {**brief, "references": formatted.references}
        html = _render_with(environment, template, brief, theme, spec, language, "", Citer(formatted), context)
    else:
        formatted = None
    # The fonts of the scripts the page holds (content and labels alike).
    faces = theme.brand.script_faces(by_script(set(html)))
    return _render_with(environment, template, brief, theme, spec, language, faces, Citer(formatted), context) \
        if faces else html


def _render_with(environment, template, brief, theme, spec, language, script_fonts, citer, context):
    token = _RENDER.set((Markdown(citer, language, citations=spec.citations), language))
    try:
        return _render_template(environment, template, brief, theme, spec, language, script_fonts, context)
    finally:
        _RENDER.reset(token)


def _render_template(environment, template, brief, theme, spec, language, script_fonts, context):
    return environment.render(
        template,
        script_fonts=Markup(script_fonts),
        brief=brief,
        variant=spec.name,
        theme=theme.name,
        brand=theme.brand,
        band_logo=theme.band_logo(),
        **context,
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
        file_size=lambda size: _file_size(size, _RENDER.get()[1]),
        schema_report=_schema_report,
        breakable=_breakable,
        no_lone_word=_no_lone_word,
        appendix_letter=lambda number: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[number - 1],   # at most 26 (the schema)
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


LINE_END = re.compile(r"</p>|</li>|<br\s*/?>", re.I)


def _no_lone_word(html):
    """Markup whose lines (paragraphs, list items, line breaks, soft breaks)
    each end with their last two words tied by a no-break space, so that a
    wrapped line never leaves one word on a line of its own."""
    pieces = []   # tags, texts, and each soft break ("\n") a piece of its own
    for index, part in enumerate(TAG.split(str(html))):
        pieces += [part] if index % 2 else re.split(r"(\n)", part)
    for end, piece in enumerate(pieces):
        if _ends_a_line(piece):
            _tie_line_before(pieces, end)
    return Markup("".join(pieces))


def _ends_a_line(piece):
    return piece == "\n" or bool(LINE_END.fullmatch(piece))


def _tie_line_before(pieces, end):
    """Tie the last two words of the line that ends at pieces[end], across inline markup."""
    for index in range(end - 1, -1, -1):
        piece = pieces[index]
        if _ends_a_line(piece):
            return
        if not piece.startswith("<") and " " in piece.rstrip():
            pieces[index] = _tie_last_space(piece)
            return


def _tie_last_space(text):
    stripped = text.rstrip()
    at = stripped.rfind(" ")
    return text if at < 0 else text[:at] + "\u00a0" + text[at + 1:]


def _with_breaks(word):
    characters = CHARACTER.findall(word)  # an entity such as &amp; is one character
    return "<wbr>".join("".join(characters[start:start + BREAK_EVERY])
                        for start in range(0, len(characters), BREAK_EVERY))


def _first_sentence(text):
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


@lru_cache(maxsize=64)
def _qr_code(url):
    """A QR code of the URL as an SVG data URI (printed with the URL beside it);
    made once per process and URL (a series' rows share theirs)."""
    import segno  # only the variants that print one
    return segno.make(url, error="m").svg_data_uri(border=0, dark="#000")


def _schema_report(brief, description, publisher_url=None):
    """The brief as a schema.org Report, for a web page's JSON-LD."""
    title = _markdown().plain(brief["title"])
    report = {"@context": "https://schema.org", "@type": "Report", "headline": title, "name": title,
              "description": str(description), "inLanguage": brief["language"],
              "datePublished": brief["date"].isoformat(),
              "author": [{"@type": "Person", "name": author["name"],
                          **({"affiliation": {"@type": "Organization", "name": author["affiliation"]}}
                             if author["affiliation"] else {})} for author in brief["authors"]]}
    if brief["organisation"]:
        report["publisher"] = {"@type": "Organization", "name": brief["organisation"],
                               **({"url": publisher_url} if publisher_url else {})}
    optional = {"url": brief["url"], "reportNumber": brief["number"], "keywords": ", ".join(brief["keywords"]),
                "isPartOf": brief["series"] and {"@type": "CreativeWorkSeries", "name": brief["series"]}}
    return {**report, **{key: value for key, value in optional.items() if value}}


def _file_size(size, language):
    """412 KB, 1.2 MB: a file's size, with the language's digits and decimal sign."""
    from babel.numbers import format_decimal  # only the web page lists files
    locale = locale_of(language)
    if size < 1000 * 1000:
        return f"{format_decimal(max(1, round(size / 1000)), locale=locale)}\u00a0KB"
    return f"{format_decimal(round(size / 1000 / 1000, 1), locale=locale)}\u00a0MB"
