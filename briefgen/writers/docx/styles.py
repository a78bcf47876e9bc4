"""The Word styles of a theme: a reference document for pandoc, made from
pandoc's own with the theme's style tokens (the CSS custom properties the
composed variant's stylesheets set on :root, in cascade order: the default
theme's, the brand's, the theme's) and the heading sizes its rules give.

Word has no cascade and no var(): each style gets the resolved value. The
fonts are named, not embedded (Word substitutes a font it lacks, as a browser
does); East Asian and right-to-left text get the theme's fallback family for
their script, as the PDF's text does.
"""

import re
from base64 import b64decode
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

import lxml.html
import tinycss2
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from ...content.access import root_properties
from ...util.files import FileRefused, read_text

MAX_STYLESHEET_BYTES = 2 * 2 ** 20
LANGUAGE_SCRIPTS = {"eastAsia": ("ko", "ja", "zh"), "bidi": ("ar", "fa", "he", "ur", "yi", "ps", "sd", "ug")}
CJK_FAMILY = {"ko": "KR", "ja": "JP", "zh": "SC"}
HEADING_SIZES = {1: 15.0, 2: 11.5, 3: 10.5, 4: 10.0, 5: 10.0, 6: 10.0}   # pt, Heading n: h(n+1) in print
FALLBACK_TOKENS = {"--color-text": "#000000", "--color-accent": "#1f3a5f", "--color-muted": "#555555",
                   "--color-on-accent": "#ffffff", "--color-rule": "#cccccc", "--color-surface": "#eeeeee",
                   "--font-body": "serif", "--font-heading": "sans-serif", "--size-body": "10pt",
                   "--size-small": "8.5pt", "--leading": "1.4"}
PAPER = {"a3": (297, 420), "a4": (210, 297), "a5": (148, 210), "b4": (250, 353), "b5": (176, 250),
         "letter": (215.9, 279.4), "legal": (215.9, 355.6), "ledger": (279.4, 431.8)}   # CSS's page sizes, mm
DEFAULT_PAGE = {"size": PAPER["a4"], "margin": (20, 19, 20, 19)}
THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def theme_styles(composed):
    """(tokens, heading sizes, page) of the composed variant's stylesheets;
    page: (width, height, (top, right, bottom, left) margins) in mm."""
    tokens, sizes, page = dict(FALLBACK_TOKENS), dict(HEADING_SIZES), dict(DEFAULT_PAGE)
    for css in _stylesheets(composed):
        tokens.update(root_properties(css))
        sizes.update(_heading_sizes(css))
        page.update(_page(css))
    return tokens, sizes, (*page["size"], page["margin"])


def _page(css):
    """The unnamed @page rule's size and margins, in mm."""
    found = {}
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "page" or tinycss2.serialize(rule.prelude).strip():
            continue
        for declaration in tinycss2.parse_blocks_contents(rule.content or [], skip_whitespace=True,
                                                          skip_comments=True):
            if declaration.type != "declaration":
                continue
            value = tinycss2.serialize(declaration.value).strip().lower()
            if declaration.lower_name == "size":
                size = _page_size(value)
                if size:
                    found["size"] = size
            elif declaration.lower_name == "margin":
                lengths = [_millimetres(part) for part in value.split()]
                if lengths and None not in lengths and len(lengths) <= 4:
                    top, right, bottom, left = (lengths * 4)[:4] if len(lengths) == 1 else \
                        (lengths + lengths)[:4] if len(lengths) == 2 else \
                        (lengths + [lengths[1]])[:4]
                    found["margin"] = (top, right, bottom, left)
    return found


def _page_size(value):
    """'a4', 'letter landscape', '170mm 240mm' -> (width, height) mm."""
    words = value.split()
    landscape = "landscape" in words
    words = [word for word in words if word not in ("portrait", "landscape")]
    if len(words) == 1 and words[0] in PAPER:
        width, height = PAPER[words[0]]
    elif len(words) == 2 and None not in map(_millimetres, words):
        width, height = map(_millimetres, words)
    else:
        return None
    return (height, width) if landscape else (width, height)


def _millimetres(value):
    match = re.fullmatch(r"([0-9.]+)(mm|cm|in|pt|px)", value)
    if not match:
        return None
    return float(match.group(1)) * {"mm": 1, "cm": 10, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}[match.group(2)]


def reference_document(default_reference, tokens, sizes, language):
    """pandoc's reference document (bytes) restyled: the document's bytes."""
    document = Document(BytesIO(default_reference))
    styles = document.styles
    body, heading = families(tokens["--font-body"], language), families(tokens["--font-heading"], language)
    text, accent = colour(tokens, "--color-text"), colour(tokens, "--color-accent-text", "--color-accent")
    muted = colour(tokens, "--color-muted-text", "--color-muted")
    _defaults(styles.element, body, points(tokens["--size-body"]), text, language)
    _paragraph(styles["Normal"], line_spacing=_number(tokens["--leading"]))
    for level in range(1, 7):
        for name in (f"Heading {level}", f"Heading {level} Char"):
            _font(styles[name], heading, sizes[level], accent, bold=True)
    for name, size, shade, bold in (("Title", 26, accent, True), ("Title Char", 26, accent, True),
                                    ("Subtitle", 14, muted, False), ("Subtitle Char", 14, muted, False),
                                    ("Author", None, text, False), ("Date", None, muted, False),
                                    ("TOC Heading", sizes[1], accent, True),
                                    ("Table Caption", points(tokens["--size-small"]) + 1, accent, True),
                                    ("Image Caption", points(tokens["--size-small"]), muted, False),
                                    ("Footnote Text", points(tokens["--size-small"]), text, False)):
        # pandoc's reference sets captions in italics; print does not
        _font(styles[name], heading if name not in ("Footnote Text",) else body, size, shade, bold,
              italic=False if "Caption" in name else None)
    _font(styles["Hyperlink"], None, None, accent)
    _font(styles["Block Text"], None, None, accent, italic=True)
    _caption_label(styles, colour(tokens, "--color-highlight-text", "--color-highlight"))
    _box_styles(styles, tokens, heading, accent, muted, points(tokens["--size-small"]))
    _table_style(styles["Table"], tokens)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def families(value, language):
    """'"Source Serif Pro", "Noto Serif CJK KR", "Noto Naskh Arabic", serif' ->
    (Latin, East Asian, complex script) families for the language."""
    names = [name.strip().strip("\"'") for name in value.split(",") if name.strip()]
    latin = names[0] if names else "serif"
    cjk = [name for name in names if "CJK" in name]
    region = CJK_FAMILY.get(language.split("-")[0].lower())
    east_asian = next((name for name in cjk if region and name.endswith(region)), cjk[0] if cjk else latin)
    complex_script = next((name for name in names if re.search(r"Arabic|Naskh|Hebrew|Devanagari|Thai", name)),
                          latin)
    return latin, east_asian, complex_script


def language_attributes(language):
    """w:lang's attributes for a language: w:val always; w:eastAsia for
    Chinese, Japanese and Korean, w:bidi for right-to-left languages."""
    base = language.split("-")[0].lower()
    found = {"w:val": language}
    for attribute, languages in LANGUAGE_SCRIPTS.items():
        if base in languages:
            found[f"w:{attribute}"] = language
    return found


def colour(tokens, *names):
    """The first of the tokens that is a #hex colour, as Word's RRGGBB."""
    for name in names:
        value = tokens.get(name, "").strip()
        if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            return value[1:].upper()
        if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
            return "".join(digit * 2 for digit in value[1:]).upper()
    return None


def points(value):
    """'10.5pt' -> 10.5; other units as the browser takes them (px at 96 per inch)."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*(pt|px|mm)?\s*", str(value))
    if not match:
        return 10.0
    number, unit = float(match.group(1)), match.group(2) or "pt"
    return {"pt": number, "px": number * 0.75, "mm": number * 72 / 25.4}[unit]


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _stylesheets(composed):
    """The text of each stylesheet the composed HTML links, in cascade order."""
    root = lxml.html.document_fromstring(composed.html)
    for url in root.xpath("//link[@rel='stylesheet']/@href"):
        parts = urlsplit(url)
        if parts.scheme == "data":
            header, _, body = url.partition(",")
            yield (b64decode(body) if header.endswith(";base64") else unquote_to_bytes(body)).decode("utf-8")
        elif parts.scheme in ("", "file"):
            path = Path(url2pathname(parts.path)) if parts.scheme else Path(composed.base_dir) / parts.path
            try:
                yield read_text(path, composed.roots, MAX_STYLESHEET_BYTES, where="the theme's folders")
            except (FileRefused, UnicodeDecodeError):
                continue   # the PDF's layout reports it; the Word edition takes the other tokens


def _heading_sizes(css):
    """{Word heading level: pt} of rules whose selectors name a heading alone
    (h2 -> Heading 1, h3 -> Heading 2, ...), with a size in pt."""
    found = {}
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule":
            continue
        selectors = [part.strip() for part in tinycss2.serialize(rule.prelude).split(",")]
        levels = [int(name[1]) - 1 for name in selectors if re.fullmatch(r"h[2-7]", name)]
        size = re.search(r"(?:^|;|\s)font-size:\s*([0-9.]+pt)", tinycss2.serialize(rule.content))
        if levels and size:
            found.update({level: float(size.group(1)[:-2]) for level in levels})
    return found


def _defaults(styles_element, fonts, size, text, language):
    """docDefaults: the body's fonts, size, colour and the document's language."""
    run = styles_element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(run, fonts)
    for tag in ("w:sz", "w:szCs"):
        _child(run, tag).set(qn("w:val"), str(round(size * 2)))
    if text:
        _child(run, "w:color").set(qn("w:val"), text)
    lang = _child(run, "w:lang")
    for name, value in language_attributes(language).items():
        lang.set(qn(name), value)


def _font(style, fonts, size, shade, bold=None, italic=None):
    if fonts:
        _set_fonts(style.element.get_or_add_rPr(), fonts)
    if size:
        style.font.size = Pt(size)
        _child(style.element.get_or_add_rPr(), "w:szCs").set(qn("w:val"), str(round(size * 2)))
    if shade:
        style.font.color.rgb = RGBColor.from_string(shade)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic


def _paragraph(style, line_spacing=None):
    if line_spacing:
        style.paragraph_format.line_spacing = line_spacing


def _set_fonts(run_properties, fonts):
    """Named fonts for Latin, East Asian and complex-script text; the theme
    font attributes pandoc's reference sets would win over them, so they go."""
    latin, east_asian, complex_script = fonts
    element = _child(run_properties, "w:rFonts")
    for name in THEME_FONT_ATTRIBUTES:
        element.attrib.pop(qn(name), None)
    for name, family in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asian),
                         ("w:cs", complex_script)):
        element.set(qn(name), family)


def _caption_label(styles, highlight):
    """The character style of a caption's number ('Table 1. '), in the highlight colour as in print."""
    from docx.enum.style import WD_STYLE_TYPE
    style = styles.add_style("Caption Label", WD_STYLE_TYPE.CHARACTER)
    style.font.bold = True
    if highlight:
        style.font.color.rgb = RGBColor.from_string(highlight)


def _box_styles(styles, tokens, heading, accent, muted, small):
    """Call-outs on the surface colour with the accent's rule at the start, as
    in print; a pull quote's attribution small and muted."""
    from docx.enum.style import WD_STYLE_TYPE
    callout = styles.add_style("Callout", WD_STYLE_TYPE.PARAGRAPH)
    callout.base_style = styles["Body Text"]
    properties = callout.element.get_or_add_pPr()
    border = _child(_child(properties, "w:pBdr"), "w:left")
    for name, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "8"),
                        ("w:color", accent or "000000")):
        border.set(qn(name), value)
    shading = _child(properties, "w:shd")
    for name, value in (("w:val", "clear"), ("w:color", "auto"),
                        ("w:fill", colour(tokens, "--color-surface") or "EEEEEE")):
        shading.set(qn(name), value)
    callout.paragraph_format.left_indent = Pt(12)
    title = styles.add_style("Callout Title", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = callout
    _font(title, heading, None, accent, bold=True)
    title.paragraph_format.keep_with_next = True
    for name in ("Attribution", "Table Notes", "Table Source"):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Body Text"]
        _font(style, heading, small, muted)
    source = styles.add_style("Figure Source", WD_STYLE_TYPE.CHARACTER)
    _font(source, None, None, muted, italic=False)


def _table_style(style, tokens):
    """The header row on the accent, in the on-accent colour and bold; a rule under each row."""
    table_properties = style.element.find(qn("w:tblPr"))
    borders = _child(table_properties, "w:tblBorders")
    for edge in ("w:top", "w:bottom", "w:insideH"):
        line = _child(borders, edge)
        for name, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"),
                            ("w:color", colour(tokens, "--color-rule") or "CCCCCC")):
            line.set(qn(name), value)
    first = next(element for element in style.element.findall(qn("w:tblStylePr"))
                 if element.get(qn("w:type")) == "firstRow")
    run = _child(first, "w:rPr")
    _child(run, "w:b")
    _child(run, "w:color").set(qn("w:val"), colour(tokens, "--color-on-accent") or "FFFFFF")
    cell = _child(first, "w:tcPr")
    shading = _child(cell, "w:shd")
    for name, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", colour(tokens, "--color-accent"))):
        shading.set(qn(name), value)


# Word's schema orders an element's children: a new child goes in its place.
CHILD_ORDER = {
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
            "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
            "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"],
    "tblBorders": ["top", "left", "start", "bottom", "right", "end", "insideH", "insideV"],
    "tblStylePr": ["pPr", "rPr", "tblPr", "trPr", "tcPr"],
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
            "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"],
    "pBdr": ["top", "left", "bottom", "right", "between", "bar"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
}


def _child(parent, tag):
    """The parent's child of that tag, made in its place when it has none."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    found = OxmlElement(tag)
    order = CHILD_ORDER.get(parent.tag.rpartition("}")[2], [])
    name = tag.partition(":")[2]
    later = order[order.index(name) + 1:] if name in order else []
    following = next((child for child in parent if child.tag.rpartition("}")[2] in later), None)
    if following is not None:
        following.addprevious(found)
    else:
        parent.append(found)
    return found
