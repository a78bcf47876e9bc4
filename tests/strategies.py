"""Hypothesis strategies for hostile and odd inputs (issue 26): YAML
documents, CSV bytes, CSS values, SVG attributes and Markdown. Each draws a
small project folder's files: {relative path: bytes}, with the brief at
BRIEF. tests/test_security.py runs them through `check` and `build`."""

import json

from hypothesis import strategies as st

BRIEF = "brief.yaml"

# A brief with one section that every variant shows; {summary}, {point},
# {text} and {extra} are filled by the strategies (YAML-quoted as needed).
TEMPLATE = """\
title: Generated input
date: 2025-11-15
summary: {summary}
key_points: [{point}]
sections:
  - title: Background
    variants: [full, memo, summary]
    content:
      - {text}
{extra}"""
PLAIN = {"summary": "The summary.", "point": "The only point.", "text": "Some text.", "extra": ""}

WORDS = st.sampled_from(["policy", "labour", "DPRK", "trafficking", "Tier 3", "인신매매", "العمل", "x", "0", ""])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


def brief_text(**parts):
    return TEMPLATE.format(**{**PLAIN, **parts}).encode("utf-8")


def quoted(text):
    """A YAML scalar holding exactly `text` (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


# --- YAML documents ----------------------------------------------------------

YAML_SCALARS = st.sampled_from([
    "9" * 5000, "-" + "9" * 4400, "0x" + "f" * 5000, "0o" + "7" * 5000, "1e999", "-.inf", ".nan", "1_000",
    "2025-13-45", "2025-02-30", "2025-11-15T25:61:00", "~", "null", "yes", "no", "on", "0", "-0", "3.14",
    "!!binary AAAA", "!!binary '!!!'", "!!python/object/apply:os.system [id]", "!!set {a, b}", "!!omap [a: 1]",
    "!!timestamp 2025-11-15", "!!int x", "!!float x", "!custom x", "&a x", "*nowhere", "'unclosed", '"\\x00"',
    '"\\ud800"', '"\\U0010FFFF"', '"\\e\\a"', "|\n  block\n  text", ">-\n  folded", "[]", "{}", "[[[[[]]]]]",
    "{a: 1, a: 2}", "[*a]", '"' + "x" * 3000 + '"', "'it''s'", "@at", "`tick", "%percent", "- a\n- b",
])
YAML_KEYS = st.sampled_from(["title", "date", "summary", "key_points", "sections", "number", "language",
                             "theme", "authors", "variants", "status", "bibliography", "citation_style",
                             "recommendations", "appendices", "cover", "extra", "? " + "7" * 5000, "<<",
                             "? [a, b]", "? {a: 1}", "'1'", "1", "null", "true", "~"])
YAML_LINES = st.sampled_from([
    "%YAML 1.1", "---", "...", "\t", "  \t- x", "# comment", "anchors: &x [*x]", "<<: {title: merged}",
    "a: &a [1, 2]\nb: [*a, *a, *a]", "? complex\n: key", "- stray item", "title: again", ":", "{", "]",
    "\ufeff", "\x85", "\u2028", "sections: []", "key_points: {a: b}", "date: !!timestamp 2025-11-15",
])


@st.composite
def yaml_documents(draw):
    """The template brief with one value replaced, a key added, or a line
    inserted somewhere: mostly almost valid, so deep phases run too."""
    lines = brief_text().decode().splitlines()
    how = draw(st.sampled_from(["value", "key", "line", "text"]))
    if how == "value":
        index = draw(st.integers(0, len(lines) - 1))
        head = lines[index].split(":", 1)[0] if ":" in lines[index] else lines[index]
        lines[index] = f"{head}: {draw(YAML_SCALARS | TEXT.map(quoted))}"
    elif how == "key":
        lines.append(f"{draw(YAML_KEYS)}: {draw(YAML_SCALARS | WORDS)}")
    elif how == "line":
        lines.insert(draw(st.integers(0, len(lines))), draw(YAML_LINES | YAML_SCALARS))
    else:
        lines[2] = f"summary: {draw(TEXT)}"   # unquoted: whatever YAML makes of it
    return {BRIEF: "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"}


# --- CSV bytes -----------------------------------------------------------------

CELL = st.one_of(WORDS, TEXT, st.sampled_from(["9" * 5000, "1e999", "-0", "=cmd|' /C calc'!A0", '"', '""', "\r",
                                                "\n", "\x00", "\x1b[31m", "[@nobody]", "[x](javascript:1)", "**b**",
                                                "<b>", "&#0;", " ", "a,b", "a;b", "a\tb"]))
DELIMITERS = st.sampled_from([",", ";", "\t", "|"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
INJECTED = st.sampled_from([b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b"\n", b'"', b"\xc3", b"\x1a", b"\x7f"])


@st.composite
def csv_bytes(draw):
    """A CSV file: cells of odd text, any delimiter and encoding, sometimes a
    stray byte or plain noise."""
    delimiter = draw(DELIMITERS)
    columns = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(CELL, min_size=columns, max_size=columns), min_size=0, max_size=5))
    header = draw(st.lists(WORDS | TEXT, min_size=columns, max_size=columns))
    text = "\n".join(delimiter.join(row) for row in [header, *rows]) + draw(st.sampled_from(["", "\n", "\r\n"]))
    data = text.encode(draw(ENCODINGS), errors="replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(INJECTED) + data[at:]
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=200))
    return data


TABLE_OPTIONS = st.fixed_dictionaries({}, optional={
    "delimiter": DELIMITERS | st.sampled_from(["", ",,", "x", "\\"]),
    "encoding": ENCODINGS | st.sampled_from(["rot13", "nonsense", "utf-32", "base64"])})


@st.composite
def table_projects(draw):
    """A brief with a table read from a generated CSV file."""
    options = "".join(f"\n          {name}: {quoted(value)}" for name, value in draw(TABLE_OPTIONS).items())
    text = f"table:\n          caption: Cells\n          csv: cells.csv{options}"
    return {BRIEF: brief_text(text=text), "cells.csv": draw(csv_bytes())}


SERIES = """\
series:
  data: rows.csv
  key: {key}
brief:
  title: "Row {{{{ {key} }}}}"
  date: 2025-11-15
  summary: "Summary {{{{ {key} }}}}."
  key_points: ["A point."]
  sections:
    - title: Background
      content: ["Text {{{{ {key} }}}}."]
"""


@st.composite
def series_projects(draw):
    """A series file over a generated CSV file, keyed by its first column."""
    data = draw(csv_bytes())
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace").split(",")[0].strip()
    key = first if first.isidentifier() else "code"
    return {BRIEF: SERIES.format(key=key).encode(), "rows.csv": data}


# --- CSS values ---------------------------------------------------------------

NUMBERS = st.sampled_from(["0", "-1", "1e9", "1e-9", "99999999999", "0.0001", "-0", "1e308", "NaN", "3"])
UNITS = st.sampled_from(["px", "cm", "mm", "pt", "em", "rem", "%", "vw", "vh", "ch", "fr", "", "Q", "deg"])
CSS_VALUES = st.one_of(
    st.builds(lambda n, u: n + u, NUMBERS, UNITS),
    st.sampled_from(["auto", "none", "inherit", "initial", "unset", "revert", "!important", "0 !important",
                     "calc(100% / 0)", "calc(1px * 1e9)", "var(--nowhere)", "var(--x, var(--x))", "attr(title)",
                     "counter(page) counter(pages)", "content", "url(/etc/passwd)", "url(http://127.0.0.1:9/x)",
                     "url(data:image/svg+xml,%3Csvg/%3E)", "\"\\0\"", "'\\\\'", "\"x\" attr(x) counter(x)",
                     "string(title)", "element(x)", "leader(dotted)", "target-counter(attr(href), page)",
                     "repeat(1000, 1fr)", "1000", "50", "-50", "1 2 3 4 5", "a b c", "#zzz", "rgb(999 999 999)",
                     "lab(50 0 0)", "oklch(0.5 0.5 0)", "small-caps", "break-all", "vertical-rl", "rtl",
                     "running(header)", "A4 landscape", "1cm 200cm", "0 0", "300mm 1mm"]),
    TEXT.filter(lambda text: "}" not in text and "{" not in text))
PROPERTIES = st.sampled_from([
    "margin", "padding", "size", "columns", "column-count", "column-width", "font-size", "line-height",
    "width", "height", "max-height", "min-height", "position", "float", "display", "content", "counter-reset",
    "counter-increment", "string-set", "bookmark-level", "bookmark-label", "page-break-before", "break-inside",
    "orphans", "widows", "transform", "border-width", "letter-spacing", "word-spacing", "text-indent",
    "font-family", "hyphens", "white-space", "writing-mode", "direction", "quotes", "list-style", "flex",
    "grid-template-columns", "--body-size", "--page-margin", "--brand-primary", "background", "color", "opacity",
    "footnote-display", "float-reference", "page", "margin-top"])
SELECTORS = st.sampled_from(["@page", "@page :first", "@page { @top-center", "html", "body", "h1", "h2", "p",
                             "li", "table", "td", "section", "*", "::before", "p::after", ".summary",
                             "@media print { body", "@font-face", ":root", "@import url(x.css); p"])


@st.composite
def css_values(draw):
    """A theme stylesheet of a few rules, each of generated declarations."""
    rules = []
    for _ in range(draw(st.integers(1, 3))):
        selector = draw(SELECTORS)
        declarations = "; ".join(f"{draw(PROPERTIES)}: {draw(CSS_VALUES)}" for _ in range(draw(st.integers(1, 3))))
        closing = "}" * (1 + selector.count("{"))
        rules.append(f"{selector} {{ {declarations} {closing}")
    return "\n".join(rules)


@st.composite
def css_projects(draw):
    """A brief whose theme (its own folder) adds a generated stylesheet."""
    text = f"{TEMPLATE}theme: theme\n".format(**PLAIN)
    return {BRIEF: text.encode(), "theme/styles/brief.css": draw(css_values()).encode("utf-8", "replace")}


# --- SVG attributes -------------------------------------------------------------

SVG_ELEMENTS = st.sampled_from(["rect", "circle", "ellipse", "line", "path", "text", "use", "image", "g",
                                "pattern", "linearGradient", "filter", "mask", "clipPath", "marker", "svg",
                                "foreignObject", "script", "style", "a", "polygon", "tspan"])
SVG_ATTRIBUTES = st.sampled_from([
    "width", "height", "x", "y", "r", "rx", "cx", "d", "points", "viewBox", "transform", "href", "xlink:href",
    "style", "font-size", "stroke-width", "stroke-dasharray", "fill", "opacity", "patternUnits", "filter",
    "preserveAspectRatio", "class", "id", "onload", "x1", "x2", "dx", "rotate", "textLength", "marker-end"])
SVG_VALUES = st.one_of(
    st.builds(lambda n, u: n + u, NUMBERS, UNITS),
    st.sampled_from(["0 0 0 0", "0 0 1e9 1e9", "-1 -1 -1 -1", "M0 0 L1e9 1e9 Z", "M", "M0 0 " + "l1 1 " * 500,
                     "scale(1e9)", "scale(0)", "matrix(0 0 0 0 0 0)", "rotate(1e308)", "skewX(90)",
                     "#self", "#a", "/etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x.png",
                     "data:image/png;base64,AAAA", "javascript:alert(1)", "x.svg#a", "url(#a)", "url(#nowhere)",
                     "0,0 1e9,0 0,1e9", "1 " * 300, "none", "inherit", "font-size: 1e9px", "&lt;", "alert(1)"]),
    TEXT)


@st.composite
def svg_documents(draw):
    """An SVG of a few elements, each with generated attributes (an <a id>
    to point <use> at, and sometimes elements nested)."""
    def element():
        name = draw(SVG_ELEMENTS)
        attributes = {draw(SVG_ATTRIBUTES): draw(SVG_VALUES) for _ in range(draw(st.integers(0, 4)))}
        text = "".join(f' {key}="{_attribute(value)}"' for key, value in attributes.items())
        inner = _attribute(draw(WORDS)) if name in ("text", "tspan", "style", "script") else ""
        return f"<{name}{text}>{inner}</{name}>"
    body = "".join(element() for _ in range(draw(st.integers(1, 4))))
    size = draw(st.sampled_from(['width="10" height="10"', 'viewBox="0 0 10 10"', "", 'width="1e9" height="1"']))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {size}>'
            f'<g id="a">{body}</g><use href="#a"/></svg>')


def _attribute(value):
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@st.composite
def svg_projects(draw):
    text = "figure:\n          image: picture.svg\n          caption: A picture.\n          alt: Shapes."
    return {BRIEF: brief_text(text=text), "picture.svg": draw(svg_documents()).encode("utf-8", "surrogatepass")}


# --- Markdown ------------------------------------------------------------------

MARKDOWN_PIECES = st.sampled_from([
    "*", "**", "_", "__", "~~", "`", "```", "[", "]", "(", ")", "![", "#", "> ", "- ", "1. ", "|", "\\", "^",
    "[@smith]", "[@nobody]", "[@a; @b]", "@", "[^1]", "[^1]: note", "[^x]", "^[inline note]", "[text](#nowhere)",
    "[text](javascript:alert(1))", "[t](http://127.0.0.1:9/)", "<https://example.org>", "![x](missing.png)",
    "![x](/etc/passwd)", "<script>alert(1)</script>", "<!--", "-->", "<b>", "</div>", "&#0;", "&#xD800;",
    "&nbsp;", "&bogus;", "\n", "\n\n", "    code", "| a | b |\n|---|---|\n| 1 | 2 |", "{#id}", "{.class}",
    "$x$", "\u202e", "\u200b", "\u2060", "\ufeff", " ", "word", "인신매매", "ﷺ", "🏳️‍🌈", "e\u0301" * 50, "a" * 500,
])


@st.composite
def markdown_text(draw):
    return "".join(draw(st.lists(MARKDOWN_PIECES | TEXT, min_size=1, max_size=12)))


@st.composite
def markdown_projects(draw):
    """A brief whose summary, point and paragraph are generated Markdown."""
    summary, point, text = draw(markdown_text()), draw(markdown_text()), draw(markdown_text())
    return {BRIEF: brief_text(summary=quoted(summary), point=quoted(point), text=quoted(text))}


STRATEGIES = {"yaml": yaml_documents(), "csv": table_projects(),
              "series": series_projects(), "css": css_projects(), "svg": svg_projects(),
              "markdown": markdown_projects()}
