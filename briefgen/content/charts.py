"""Charts: a Vega-Lite specification and its data, themed from the theme's
style tokens, drawn to SVG by vl-convert, cached in the output folder.

vl-convert is imported and run only by draw(), which the build calls in the
process that builds a document (a worker, or the command itself with one job).
Planning and validation never convert: vl-convert's runtime hangs in a child
forked from a process that has used it.
"""

import copy
import hashlib
import importlib.util
import json
import logging
import math
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import babel
from babel import Locale, UnknownLocaleError

from ..util import cache
from ..util.atomic import atomic_file
from .access import contrast, root_properties
from ..util.files import MB, FileRefused, read_text
from ..inputs.tabular import TableError, table_rows

PACKAGE = "vl-convert-python"
MISSING = f"charts need the {PACKAGE} package: pip install 'policy-brief-generator[charts]'"
CACHE = Path(".cache") / "charts"           # inside the output folder
MAX_JSON_BYTES = 5 * MB                     # a chart's data or a theme's chart config
THEME_CONFIG = "chart.json"                 # a theme's own Vega-Lite config, in its styles folder
PX_PER_MM = 96 / 25.4                       # CSS pixels: the SVG is laid out at 1:1
MARK_CONTRAST = 3.0                         # WCAG 1.4.11: graphical objects against the page

conversions = 0                             # charts this process converted (the tests count them)


class ChartError(Exception):
    """A chart that cannot be drawn; caption: which chart of the brief."""

    def __init__(self, message, caption=None):
        super().__init__(message)
        self.caption = caption


def converter_started():
    """Has this process loaded vl-convert? A child forked from it then hangs in it."""
    return "vl_convert" in sys.modules


def installed():
    """Is vl-convert there? (found without importing it)"""
    return importlib.util.find_spec("vl_convert") is not None


# --- data -------------------------------------------------------------------

def typed(cell):
    """A CSV cell as Vega-Lite wants it: numbers as numbers, the rest as text."""
    text = cell.strip()
    if re.fullmatch(r"[+-]?\d{1,15}", text):   # a chart's numbers are doubles: exact to 15 digits
        return int(text)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", text):
        number = float(text)
        return number if math.isfinite(number) else cell   # 1e999 is no number JSON can hold
    return cell


def csv_rows(file):
    """The CSV file's rows as maps of header -> typed cell."""
    return [dict(row) for row in _typed_rows(_read_csv(file))]


@lru_cache(maxsize=8)
def _typed_rows(table):
    """Typed once per process for the same file content: a series draws
    each of its rows from the same data."""
    header, *rows = table
    return tuple(tuple(zip(header, map(typed, row))) for row in rows)


def csv_header(file):
    return list(_read_csv(file)[0])


def _read_csv(file):
    """Through tabular.py, as a table's CSV file: bounded, its delimiter sniffed."""
    try:
        return table_rows(Path(file).parent, {"csv": Path(file).name})
    except TableError as error:
        raise ChartError(str(error)) from None


def _read_json(file, folder):
    try:
        return json.loads(read_text(file, folder, MAX_JSON_BYTES))
    except FileRefused as error:
        raise ChartError(str(error)) from None
    except json.JSONDecodeError as error:
        raise ChartError(f"{file}:{error.lineno}: not valid JSON: {error.msg}") from None
    except ValueError:  # Python's bound on the digits of an integer
        raise ChartError(f"{file}: a number in it has over {sys.get_int_max_str_digits():,} digits, "
                         "too long to read") from None


def _inside(file, folder):
    return Path(file).resolve().is_relative_to(Path(folder).resolve())


def selected(rows, where):
    """The rows whose columns equal the `where` values (compared as text, so
    `year: 2024` matches a CSV's 2024 and a YAML string alike)."""
    return [row for row in rows if all(str(row.get(column)) == str(value) for column, value in (where or {}).items())]


def url_fields(value, path=()):
    """(path, url) of every `url` field in a specification, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "url" and isinstance(item, str):
                yield path + (key,), item
            else:
                yield from url_fields(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from url_fields(item, path + (index,))


def url_problem(url, brief_dir):
    """Why a `url` in a specification is refused; None for a file in the brief's folder."""
    if urlsplit(url).scheme or url.startswith("//"):
        return f"'{url}' refused: a chart reads files in the brief's folder only, never the network"
    if Path(url).is_absolute() or not _inside(Path(brief_dir) / url, brief_dir):
        return f"'{url}' refused: it is outside the brief's folder"
    if Path(url).suffix.lower() not in (".csv", ".json"):
        return f"'{url}': a chart reads CSV or JSON files"
    if not (Path(brief_dir) / url).is_file():
        return f"file not found: {Path(brief_dir) / url}"
    return None


def spec_data_problem(data):
    """Why a spec's own `data` cannot be read; None for inline values or a url."""
    if not isinstance(data, dict) or not (isinstance(data.get("values"), list) or isinstance(data.get("url"), str)):
        return "a chart's own data is 'values' (a list of rows) or 'url' (a CSV or JSON file beside the brief)"
    if isinstance(data.get("values"), list) and not all(isinstance(row, dict) for row in data["values"]):
        return "each of 'values' is a row: a mapping of column names to values"
    return None


def spec_rows(data, brief_dir):
    """The rows of a spec's own data: its values, or its url's file."""
    if isinstance(data.get("values"), list):
        return list(data["values"])
    file = Path(brief_dir) / data["url"]
    rows = csv_rows(file) if file.suffix.lower() == ".csv" else _read_json(file, brief_dir)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ChartError(f"{file}: a chart's JSON data is a list of rows (mappings)")
    return rows


def _inline_urls(value, brief_dir):
    """The specification with each `url` of the brief's folder replaced by the
    file's values: the converter itself is allowed to fetch nothing."""
    if isinstance(value, list):
        return [_inline_urls(item, brief_dir) for item in value]
    if not isinstance(value, dict):
        return value
    if isinstance(value.get("url"), str):
        file = Path(brief_dir) / value["url"]
        values = csv_rows(file) if file.suffix.lower() == ".csv" else _read_json(file, brief_dir)
        return {**{key: item for key, item in value.items() if key != "url"}, "values": values}
    return {key: _inline_urls(item, brief_dir) for key, item in value.items()}


# --- theme ------------------------------------------------------------------

@dataclass(frozen=True)
class ChartTheme:
    """What the theme gives every chart: the Vega-Lite config and the font folders."""
    config: dict
    font_dirs: tuple


@lru_cache(maxsize=16)
def chart_theme(theme, token_css):
    """The theme's chart config: derived from its style tokens (token_css: the
    stylesheets that set them, in cascade order), then the theme's own
    chart.json over it. Raises ChartError when a colour of the categorical
    palette is too faint against the page."""
    tokens = {}
    for css in token_css:
        tokens.update(style_tokens(css))
    config = derived_config(tokens)
    for folder in theme.style_dirs:
        own = Path(folder) / THEME_CONFIG
        if own.is_file():
            config = merged(config, _read_json(own, folder))
    faint = palette_problems(config, tokens.get("--color-background", "#ffffff"))
    if faint:
        raise ChartError(f"theme '{theme.name}': {faint[0]}")
    fonts = tuple(str(file.parent) for file in theme.font_files())
    return ChartTheme(config, tuple(dict.fromkeys(fonts)))


def style_tokens(css):
    """The :root custom properties of a stylesheet's text, kept by the cache
    (cache.py) under the text's hash: parsing a theme's CSS again each run
    costs a one-document build more than the rest of its charts' set-up."""
    digest = hashlib.sha256(css.encode()).hexdigest()
    return cache.remembered("style-tokens", [digest], lambda: root_properties(css))


def derived_config(tokens):
    """Vega-Lite config from the style tokens: the heading font, text and rule
    colours, and palettes from the brand colours, the accent first. Sizes are
    CSS pixels of a chart laid out at its printed size (10px = 7.5pt)."""
    background = tokens.get("--color-background", "#ffffff")
    text, muted = tokens.get("--color-text", "#000000"), tokens.get("--color-muted", "#555555")
    accent = tokens.get("--color-accent", "#1f3a5f")
    highlight = tokens.get("--color-highlight", accent)
    rule = tokens.get("--color-rule", "#cccccc")
    font = first_family(tokens.get("--font-heading", "sans-serif"))
    labels = {"font": font, "fontSize": 10, "color": text}
    return {
        "background": background,
        "font": font,
        "padding": 4,
        "view": {"stroke": None},
        "mark": {"color": accent},
        "text": labels,
        "title": {"font": font, "fontSize": 11, "fontWeight": 600, "color": text, "anchor": "start"},
        "axisXDiscrete": {"labelAngle": 0},
        "axis": {"labelFont": font, "labelFontSize": 10, "labelColor": text,
                 "titleFont": font, "titleFontSize": 10, "titleFontWeight": 600, "titleColor": muted,
                 "gridColor": rule, "gridWidth": 0.75, "domainColor": muted, "tickColor": muted},
        "legend": {"labelFont": font, "labelFontSize": 10, "labelColor": text,
                   "titleFont": font, "titleFontSize": 10, "titleFontWeight": 600, "titleColor": muted},
        "range": {"category": brand_palette(tokens.get("--chart-palette"), background)
                              or categorical_palette(accent, highlight, text, background),
                  "ramp": sequential_palette(accent, background),
                  "heatmap": sequential_palette(accent, background),
                  "ordinal": sequential_palette(accent, background)[2:]},
    }


def first_family(value):
    """'"Source Sans Pro", sans-serif' -> 'Source Sans Pro'"""
    return value.split(",")[0].strip().strip("\"'")


def brand_palette(colours, background):
    """The brand's palette (--chart-palette: '#447099 #ee6331 ...') in its order,
    without the colours marks could not be told from the page by (under 3:1)."""
    return [colour for colour in (colours or "").split()
            if re.fullmatch(r"#[0-9a-fA-F]{6}", colour) and contrast(colour, background) >= MARK_CONTRAST]


def categorical_palette(accent, highlight, text, background):
    """Accent, highlight, then mixes of the two and of each with the text
    colour, each darkened until it stands out from the page (3:1)."""
    candidates = [accent, highlight, mix(accent, highlight, 0.5), mix(accent, background, 0.45),
                  mix(highlight, text, 0.45), mix(accent, text, 0.5)]
    palette = []
    for colour in candidates:
        while contrast(colour, background) < MARK_CONTRAST:
            colour = mix(colour, text, 0.15)
        if colour not in palette:
            palette.append(colour)
    return palette


def sequential_palette(accent, background, steps=6):
    """From a pale tint of the accent to the accent (for ordered values)."""
    return [mix(accent, background, 0.85 * (steps - 1 - step) / (steps - 1)) for step in range(steps)]


def mix(first, second, share):
    """first with `share` of second, as #rrggbb."""
    a, b = _rgb(first), _rgb(second)
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b))


def _rgb(colour):
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return [int(digits[index:index + 2], 16) for index in (0, 2, 4)]


def palette_problems(config, background):
    """Colours of the categorical palette under 3:1 against the page."""
    category = (config.get("range") or {}).get("category")
    colours = category if isinstance(category, list) else []
    return [f"chart colour {colour} on the page background {background} has a contrast of "
            f"{contrast(colour, background):.2f}:1, under the {MARK_CONTRAST:g}:1 that marks need (WCAG 1.4.11)"
            for colour in colours
            if isinstance(colour, str) and re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", colour)
            and contrast(colour, background) < MARK_CONTRAST]


def merged(base, over):
    """`over` on top of `base`, maps merged key by key (an author's config wins)."""
    result = dict(base)
    for key, value in over.items():
        result[key] = merged(result[key], value) if isinstance(value, dict) and isinstance(result.get(key), dict) else value
    return result


# --- language ---------------------------------------------------------------

CLDR_TO_D3 = (("yyyy", "%Y"), ("yy", "%y"), ("y", "%Y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"),
              ("M", "%-m"), ("dd", "%d"), ("d", "%-d"), ("HH", "%H"), ("H", "%-H"), ("hh", "%I"),
              ("h", "%-I"), ("mm", "%M"), ("ss", "%S"), ("a", "%p"))


@lru_cache(maxsize=16)
def locales(language):
    """d3's number and time locales for a BCP 47 tag, from Babel's CLDR data:
    axis numbers and dates in the brief's language. Kept by the cache
    (cache.py): loading a language's CLDR data costs more than the rest."""
    number, time = cache.remembered("chart-locales", [str(language), babel.__version__],
                                    lambda: _locales(language))
    return number, time


def _locales(language):
    try:
        locale = Locale.parse(str(language), sep="-")
    except (ValueError, UnknownLocaleError):
        locale = Locale("en")
    symbols = locale.number_symbols["latn"] if "latn" in locale.number_symbols else locale.number_symbols
    number = {"decimal": symbols["decimal"], "thousands": symbols["group"], "grouping": [3],
              "currency": ["", ""]}
    sunday_first = lambda names: [names[6], *[names[day] for day in range(6)]]  # noqa: E731
    time = {
        "dateTime": "%x, %X",
        "date": _d3_pattern(locale.date_formats["short"].pattern),
        "time": _d3_pattern(locale.time_formats["medium"].pattern),
        "periods": [locale.day_periods["format"]["abbreviated"].get(key, key.upper()) for key in ("am", "pm")],
        "days": sunday_first(locale.days["format"]["wide"]),
        "shortDays": sunday_first(locale.days["format"]["abbreviated"]),
        "months": [locale.months["format"]["wide"][month] for month in range(1, 13)],
        "shortMonths": [locale.months["format"]["abbreviated"][month] for month in range(1, 13)],
    }
    return number, time


def _d3_pattern(pattern):
    """A CLDR date pattern ('dd.MM.yy') as d3's ('%d.%m.%y')."""
    out = []
    for match in re.finditer(r"'[^']*'|([A-Za-z])\1*|.", pattern):
        piece = match.group(0)
        if piece.startswith("'"):
            out.append(piece.strip("'"))
        elif piece[0].isalpha():
            out.append(dict(CLDR_TO_D3).get(piece, ""))
        else:
            out.append(piece)
    return "".join(out)


# --- drawing ----------------------------------------------------------------

def full_spec(chart, rows, brief_dir, size):
    """The specification the converter gets: the author's, with its data,
    its local `url` files inlined and sized to its slot (width, height in CSS px)."""
    spec = _inline_urls(copy.deepcopy(chart["spec"]), brief_dir)
    spec.pop("config", None)
    own = spec.get("data") if isinstance(spec.get("data"), dict) else {}
    spec["data"] = {**{key: value for key, value in own.items() if key == "format"}, "values": rows}
    temporal_axes(spec, rows)
    spec.setdefault("width", round(size[0]))
    spec.setdefault("height", round(size[1]))
    spec.setdefault("autosize", {"type": "fit", "contains": "padding"})
    return spec


# A temporal axis's labels by the span of its data: d3's default mixes units
# ("2019, July, 2020, July"); one unit, and ticks at most every step of it.
TIME_UNITS = (  # (shortest span in days, interval, d3 format, days per interval)
    (2 * 365, "year", "%Y", 365.25),
    (60, "month", "%b %Y", 30.44),
    (0, "day", "%-d %b", 1),
)
MAX_TICKS = 12   # labels of an axis, at most: "Sep 2024" twelve times fits a column
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y/%m/%d",
                "%Y-%m", "%Y", "%b %d %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%m/%d/%Y")


def temporal_axes(spec, rows):
    """Each temporal x or y of the spec (and of its layers) that has no time unit,
    format or tick count of its own gets a format fitting its data's span:
    years, months or days."""
    for encoding in _encodings(spec):
        for channel in ("x", "y"):
            field = encoding.get(channel)
            if not (isinstance(field, dict) and field.get("type") == "temporal" and isinstance(field.get("field"), str)
                    and "timeUnit" not in field and field.get("axis", {}) is not None):
                continue
            axis = field.setdefault("axis", {})
            if isinstance(axis, dict) and not {"format", "tickCount", "values"} & set(axis):
                axis.update(_time_axis([row.get(field["field"]) for row in rows if isinstance(row, dict)]))


def _encodings(spec):
    if isinstance(spec, dict):
        if isinstance(spec.get("encoding"), dict):
            yield spec["encoding"]
        for key in ("layer", "concat", "hconcat", "vconcat"):
            for part in spec.get(key) or ():
                yield from _encodings(part)


def _time_axis(values):
    """{format, tickCount} for dates spanning this long; {} when they are not dates."""
    from datetime import datetime
    dates = []
    for value in values:
        for pattern in DATE_FORMATS:
            try:
                dates.append(datetime.strptime(str(value).strip(), pattern))
                break
            except ValueError:
                continue
    if len(dates) < 2:
        return {}
    days = (max(dates) - min(dates)).days
    shortest, interval, pattern, length = next(unit for unit in TIME_UNITS if days >= unit[0])
    step = max(1, math.ceil(days / length / MAX_TICKS))
    return {"format": pattern, "tickCount": {"interval": interval, "step": step}}


def converter_version():
    """What names the installed converter in the cache's keys: the size and
    modification time of each file of its package (found without importing
    it; importlib.metadata would cost a one-document build more than this)."""
    spec = importlib.util.find_spec("vl_convert")
    if spec is None or not spec.submodule_search_locations:
        raise ChartError(MISSING)
    files = sorted(Path(spec.submodule_search_locations[0]).glob("*.*"))
    return ";".join(f"{file.name}:{file.stat().st_size}:{file.stat().st_mtime_ns}" for file in files)


def draw(spec, config, language, chart_theme, cache_dir):
    """The SVG file of a chart: from the cache when an identical chart (same
    specification, data, config, language and converter) was drawn before."""
    number, time = locales(language)
    key = json.dumps({"spec": spec, "config": config, "number": number, "time": time,
                      "fonts": chart_theme.font_dirs, "converter": converter_version()},
                     sort_keys=True, ensure_ascii=False)
    target = Path(cache_dir) / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.svg"
    if not target.is_file():
        _write(target, _convert(spec, config, number, time, chart_theme.font_dirs))
    return target


def _convert(spec, config, number, time, font_dirs):
    global conversions
    if not installed():
        raise ChartError(MISSING)

    _register_fonts(font_dirs)
    # The locales ride in the config (Vega's config.locale: the same SVG as
    # vl-convert's locale arguments, which cost each conversion 3 ms more).
    config = {**(config or {}), "locale": {"number": number, "time": time}}
    try:
        svg = _to_svg(spec, config)
    except (ValueError, PermissionError) as error:  # Vega-Lite's, Vega's or vl-convert's message, first line
        message = FAILED_PREFIX.sub("", str(error)).strip().splitlines()
        raise ChartError(f"Vega-Lite cannot draw the chart: {message[0] if message else error}") from None
    conversions += 1
    return svg


FAILED_PREFIX = re.compile(r"^Vega(-Lite)? to [\w-]+ conversion failed:|VLC_[A-Z_]+: ")
ROWS = "brief_rows"          # the dataset that carries a spec's inline values in its compiled Vega
COMPILED_MAX = 64            # compiled specs a process keeps


def _to_svg(spec, config):
    """The chart's SVG: from its compiled Vega with the row's values, or drawn
    in one go."""
    converter = vl_converter()
    vega = _compiled_with_values(spec, config)
    if vega is None:
        return converter.vegalite_to_svg(spec, config=config)
    return converter.vega_to_svg(vega)


def _compiled_with_values(spec, config):
    """Vega-Lite compiles a spec to Vega without reading its data, and a series
    draws one spec with each row's values: so a spec whose data are inline
    values is compiled once per process, as a named dataset, and each drawing
    hands Vega the values (with the locales in the config, 3 ms of a 27 ms
    conversion). None for any other spec, and for a compiled spec without that
    dataset, so no values can be left out."""
    data = spec.get("data")
    if not (isinstance(data, dict) and isinstance(data.get("values"), list) and "name" not in data):
        return None
    named = {key: value for key, value in data.items() if key != "values"} | {"name": ROWS}
    vega = _compiled(json.dumps({"spec": {**spec, "data": named}, "config": config}, sort_keys=True))
    if not any(dataset.get("name") == ROWS for dataset in vega.get("data", ())):
        return None
    datasets = [{**dataset, "values": data["values"]} if dataset.get("name") == ROWS else dataset
                for dataset in vega["data"]]
    return {**vega, "data": datasets}


@lru_cache(maxsize=COMPILED_MAX)
def _compiled(spec_and_config):
    """The Vega of a Vega-Lite spec and config (given as JSON, the cache's key).
    Callers build new dicts from it and never change it."""
    parts = json.loads(spec_and_config)
    return vl_converter().vegalite_to_vega(parts["spec"], config=parts["config"])


# vl-convert's settings are its process's (the library's defaults fetch data
# and fonts from the network): each that lets a chart reach beyond its spec,
# or restyle it, is set here, whatever a program run before set.
OFFLINE = {"base_url": False, "allowed_base_urls": [], "auto_google_fonts": False, "allow_google_fonts": False,
           "google_fonts": [], "vega_plugins": [], "plugin_import_domains": [], "allow_per_request_plugins": False,
           "per_request_plugin_import_domains": [], "default_theme": None, "themes": {},
           "default_format_locale": None, "default_time_format_locale": None}


@lru_cache(maxsize=1)
def vl_converter():
    """vl-convert, imported and set offline once per process: no data, image,
    font or plugin from the network or from files its spec names (a chart's
    data reach it inline, read by us, confined and bounded)."""
    import vl_convert

    vl_convert.configure(**OFFLINE)
    # Vega-Lite's warnings (a channel a mark drops, say) went unsaid by 1.9.
    # 2.0 logs them from a thread of its own: Python would print them on
    # stderr, and would count that thread as a Python thread from then on,
    # so that the build no longer forks (util/parallel.py, can_fork). Below
    # every level, no record is made.
    logging.getLogger("vl_convert").setLevel(logging.CRITICAL + 1)
    return vl_convert


_registered = set()   # font folders given to this process's converter


def _register_fonts(font_dirs):
    """Give the converter the theme's fonts, so it measures and names them."""
    converter = vl_converter()
    for folder in font_dirs:
        if folder not in _registered:
            converter.register_font_directory(folder)
            _registered.add(folder)


def _write(target, svg):
    with atomic_file(target, "w") as file:
        file.write(svg)


def data_columns(chart, brief_dir):
    """The header of the chart's data, for a table of it and for checking `where`."""
    if isinstance(chart.get("data"), str):
        return csv_header(Path(brief_dir) / chart["data"])
    columns = {}
    for row in chart.get("values") or chart.get("rows") or ():
        columns.update(dict.fromkeys(row))
    return list(columns)

