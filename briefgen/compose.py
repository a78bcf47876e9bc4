"""Phase 4: compose the variant's HTML with Jinja. Content is data passed to
the templates, never compiled as a template itself."""

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from jinja2 import Environment, StrictUndefined, pass_context

from . import __version__
from .markdown import Markdown

VARIANT_TEMPLATE = "variants/{}.html"


def compose_html(brief, theme, variant):
    template = template_environment(theme).get_template(VARIANT_TEMPLATE.format(variant))
    return template.render(
        brief=brief,
        variant=variant,
        theme=theme.name,
        stylesheets=[path.as_uri() for path in theme.stylesheets(variant)],
        generator=f"brief {__version__}",
        markdown=Markdown([ref["id"] for ref in brief["references"]], brief["language"]),
    )


@lru_cache(maxsize=16)
def template_environment(theme):
    """One Jinja environment per theme: autoescaped, strict about undefined names."""
    environment = Environment(loader=theme.loader, autoescape=True, undefined=StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(
        markdown=pass_context(lambda context, text: context["markdown"].block(text)),
        markdown_inline=pass_context(lambda context, text: context["markdown"].inline(text)),
        typeset=pass_context(lambda context, text: context["markdown"].text(text)),
        plain=pass_context(lambda context, text: context["markdown"].plain(text)),
        long_date=pass_context(lambda context, date: format_date(date, "long", locale=_locale(context))),
    )
    return environment


def _locale(context):
    try:
        return Locale.parse(context["brief"]["language"], sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale("en")
