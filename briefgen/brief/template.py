"""A brief written as a template, as a series file's `brief:` is: strings with
{{ column }} placeholders, compiled and checked once, then filled from each
row of the data.

Placeholders are filled by a sandboxed Jinja environment of their own, never
by the theme's: a placeholder is a column name, with at most the number,
percent and date filters; anything else (`{{ ''.__class__ }}`, a loop, a
call) is refused before any row is filled."""

import datetime
import decimal
import re
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..inputs.load import LoadedBrief
from ..problems import BriefError, Problem, field_name
from .validate import did_you_mean

FILTER_NAMES = ("number", "percent", "date")
PLACEHOLDER_HINT = ("a placeholder is a column name, optionally with a filter: "
                    "{{ column }}, {{ column | number }}, {{ column | number(1) }}, "
                    "{{ column | percent }}, {{ column | date }} or {{ column | date('d MMMM y') }}")
# Markdown reads these as syntax; a value's are escaped, so a row's text stays text.
MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]{}()<>#+\-.!|~^@&])")


class SeriesBrief(LoadedBrief):
    """A series file's `brief:`, as validation reads a brief: paths relative to
    the template, lines of the series file, fields named as written (brief.title)."""

    def problem(self, path, message, line=None):
        return Problem(self.shown_path, line or self.line_of(path), field_name(("brief", *path)), message)


class PlaceholderError(Exception):
    pass


def compile_placeholders(template, columns):
    """path -> text of every string of the template that holds a placeholder,
    each checked once: Jinja syntax, only names and the formatting filters,
    only the dataset's columns."""
    found, problems = {}, []
    for path, value in _strings(template.data):
        if not any(mark in value for mark in ("{{", "{%", "{#")):
            continue
        try:
            names = placeholder_names(value)
        except PlaceholderError as error:
            problems.append(template.problem(path, str(error)))
            continue
        problems += [template.problem(path, f"no column '{name}' in the series' data"
                                            f"{did_you_mean(name, columns) or '; its columns: ' + ', '.join(columns)}")
                     for name in names if name not in columns]
        found[path] = value
    if problems:
        raise BriefError(problems)
    return found


def _strings(value, path=()):
    if isinstance(value, str):
        yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _strings(item, path + (key,))


def placeholder_names(text):
    """The column names a text's placeholders use; PlaceholderError for
    anything but `{{ name }}` and `{{ name | filter(constants) }}`."""
    try:
        tree = _environment("en", False).parse(text)
    except TemplateSyntaxError as error:
        raise PlaceholderError(f"{_quoted(text)}: placeholder syntax error: {error.message}") from None
    names = []
    for node in tree.body:
        if not isinstance(node, nodes.Output):
            raise PlaceholderError(f"{_quoted(text)}: only {{{{ column }}}} placeholders may be used, "
                                   f"no {{% ... %}} statements; {PLACEHOLDER_HINT}")
        for child in node.nodes:
            if not isinstance(child, nodes.TemplateData):
                names.append(_placeholder_name(child, text))
    return names


def _placeholder_name(node, text):
    if isinstance(node, nodes.Filter) and node.name in FILTER_NAMES and node.node is not None \
            and all(isinstance(argument, nodes.Const) for argument in node.args) \
            and not node.kwargs and node.dyn_args is None and node.dyn_kwargs is None:
        return _placeholder_name(node.node, text)
    if isinstance(node, nodes.Name) and node.ctx == "load":
        return node.name
    what = f"the filter '{node.name}'" if isinstance(node, nodes.Filter) else _describe(node)
    raise PlaceholderError(f"{_quoted(text)} refused: {what} is not allowed; {PLACEHOLDER_HINT}")


def _describe(node):
    if isinstance(node, nodes.Getattr):
        return f"an attribute ('.{node.attr}')"
    if isinstance(node, nodes.Getitem):
        return "an index ('[...]')"
    if isinstance(node, nodes.Call):
        return "a call"
    if isinstance(node, nodes.Const):
        return "a constant"
    return "an expression"


def _quoted(text):
    return repr(text if len(text) <= 60 else text[:57] + "...")


@lru_cache(maxsize=8)
def _environment(language, markdown):
    """The placeholders' own sandbox (never the theme's template engine):
    autoescaped, strict about unknown names, with the formatting filters in
    the brief's language. Every value goes out through finalize, escaped for
    where it lands: as markdown in a markdown field; verbatim in a plain text
    field, which the theme's templates escape as HTML when they print it
    (HTML-escaping it here too would print '&amp;')."""
    from babel.dates import format_date   # here: a build without a series never loads Babel's formats
    from babel.numbers import format_decimal, format_percent

    environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined,
                                       finalize=lambda value: Markup(_escaped(cell_text(value), markdown)))
    locale = str(language).replace("-", "_")
    environment.filters.clear()
    environment.filters.update({
        "number": lambda value, digits=None: format_decimal(
            _number(value), format=None if digits is None else "#,##0" + ("." + "0" * int(digits) if digits else ""),
            locale=locale),
        "percent": lambda value, digits=0: format_percent(
            _number(value), format="#,##0" + ("." + "0" * int(digits) if digits else "") + "%", locale=locale),
        "date": lambda value, form="long": format_date(_date(value), form, locale=locale),
    })
    return environment


@lru_cache(maxsize=4096)
def _compiled(text, language, markdown):
    return _environment(language, markdown).from_string(text)


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _escaped(text, markdown):
    return MARKDOWN_SYNTAX.sub(r"\\\1", text).replace("\n", " ") if markdown else text


def _number(value):
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return value
    try:
        return decimal.Decimal(str(value).strip().replace(",", ""))
    except decimal.InvalidOperation:
        raise PlaceholderError(f"{str(value)!r} is not a number") from None


def _date(value):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise PlaceholderError(f"{str(value)!r} is not an ISO date such as 2026-07-01") from None


def fill(series, values):
    """The row's brief: each placeholder filled from the row's values.
    BriefError naming the field (and the row) when a value cannot be used."""
    language = _language(series, values)

    def filled(value, path):
        if path in series.placeholders:
            return _render(series, path, values, language)
        if isinstance(value, dict):
            return {key: filled(item, path + (key,)) for key, item in value.items()}
        if isinstance(value, list):
            return [filled(item, path + (index,)) for index, item in enumerate(value)]
        return value
    return filled(series.template.data, ())


def filled_field(series, path, values):
    """One field of the row's brief, filled (the series' index gives each row's title)."""
    return _render(series, path, values, _language(series, values))


def _language(series, values):
    """The row's language, for the filters' number and date formats."""
    if ("language",) in series.placeholders:
        return _render(series, ("language",), values, "en")
    return series.template.data.get("language", "en")


def _render(series, path, values, language):
    try:
        return str(_compiled(series.placeholders[path], str(language), path in series.markdown).render(values))
    except PlaceholderError as error:
        message = str(error)
    except (UndefinedError, SecurityError, TypeError, ValueError) as error:
        message = f"cannot fill {_quoted(series.placeholders[path])}: {error}"
    raise BriefError([series.template.problem(path, message)])
