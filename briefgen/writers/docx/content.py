"""The composed HTML of a variant, made into what pandoc reads for Word.

Print conventions become Word's:
- the cover's title, subtitle, authors and date become the document's
  metadata, which pandoc sets as Word's Title, Subtitle, Author and Date
  paragraphs (and the core properties);
- the printed contents list gives way to a table of contents field (its
  heading's words, in the brief's language, are the field's title);
- numbers CSS counts in print (captions, cross-references) are written in;
- a footnote stays a footnote (its call, a print link, goes);
- every image is read here, confined to the brief's and the theme's folders
  and size-bounded, an SVG drawn to PNG, and handed to pandoc inline: pandoc
  runs sandboxed and reads no file itself.
"""

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

import lxml.html
import tinycss2

from ...problems import BriefError, Problem
from ...content.charts import MISSING as NO_CONVERTER, installed as converter_installed, vl_converter
from ...util.files import FileRefused, read_bytes
from . import CONTENTS_FIELD

MAX_IMAGE_BYTES = 20 * 2 ** 20       # as the PDF's layout holds images to
PNG_SCALE = 2                        # an SVG is drawn at twice its size, for print
CSS_PX_PER_INCH = 96
# The rules of labels.css.html that print a caption's number: (kind, in an appendix).
CAPTION_SELECTORS = {"caption::before": ("table", False), ".figure figcaption::before": ("figure", False),
                     ".appendix caption::before": ("table", True),
                     ".appendix .figure figcaption::before": ("figure", True)}


@dataclass
class Metadata:
    """What the cover says, for Word's title block and core properties."""
    title: str = ""
    subtitle: str = ""
    authors: list = field(default_factory=list)       # each author's lines: name, role, affiliation
    names: list = field(default_factory=list)         # the authors' names alone (core properties)
    date: str = ""                                    # as the cover prints it
    language: str = "en"
    rtl: bool = False
    keywords: list = field(default_factory=list)
    description: str = ""
    contents_title: str = None                        # None: the variant prints no contents, so no field


@dataclass
class Prepared:
    html: str
    metadata: Metadata
    read: list = field(default_factory=list)          # every file read (the manifest's)


def prepare(composed):
    """The composed HTML as pandoc should read it, and the cover's metadata."""
    root = lxml.html.document_fromstring(composed.html)
    metadata = _metadata(root)
    _numbers(root, _caption_formats("\n".join(root.xpath("//style/text()"))))
    for element in root.xpath("//head | //style | //link | //script | //a[@class='footnote-call']"
                              " | //div[@class='pagebreak']"):
        _drop(element)
    _title_block(root, metadata)
    _word_shapes(root)
    _masthead_lines(root)
    metadata.contents_title = _contents(root)
    images = _Images(composed)
    for image in root.xpath("//img"):
        images.inline(image)
    return Prepared(lxml.html.tostring(root, encoding="unicode"), metadata, images.read)


def _metadata(root):
    def text(path):
        found = root.xpath(path)
        return " ".join(found[0].text_content().split()) if found else ""
    html = root.xpath("/html")[0]
    authors = [[" ".join(span.text_content().split()) for span in item.xpath("span")]
               for item in root.xpath("//ul[contains(@class, 'authors')]/li")]
    names = root.xpath("//meta[@name='author']/@content")
    keywords = (root.xpath("//meta[@name='keywords']/@content") or [""])[0]
    return Metadata(title=text("//h1[contains(@class, 'title')]") or text("//h1") or text("//title"),
                    subtitle=text("//*[contains(@class, 'subtitle')]"),
                    authors=authors or [[name] for name in names], names=list(names),
                    date=text("//*[contains(@class, 'date')]/time") or text("//time"),
                    language=html.get("lang") or "en", rtl=html.get("dir") == "rtl",
                    keywords=[word.strip() for word in keywords.split(",") if word.strip()],
                    description=(root.xpath("//meta[@name='description']/@content") or [""])[0])


def _title_block(root, metadata):
    """The title, subtitle, date and authors go to the metadata (pandoc writes
    them first, in Word's styles for them); a heading of level 1 elsewhere (the
    memo's subject line, in its table) stays as text."""
    for element in root.xpath("//h1[contains(@class, 'title')] | //*[contains(@class, 'subtitle')]"
                              " | //ul[contains(@class, 'authors')]"
                              " | //section[@class='cover']//*[contains(@class, 'date')]"):
        _drop(element)
    for heading in root.xpath("//h1"):
        heading.tag = "strong"


def _word_shapes(root):
    """Print boxes as Word styles (styles.py makes them): a call-out's
    paragraphs in "Callout", its title in "Callout Title"; a pull quote as a
    block quote and its attribution (pandoc would box a figure of text in a
    table); a figure's source, a table's notes and source in styles of their
    own, so that a reader of the file (brief import) tells them from the caption."""
    for callout in root.xpath("//aside[contains(@class, 'callout')]"):
        callout.tag, callout.attrib["custom-style"] = "div", "Callout"
        for title in callout.xpath(".//*[contains(@class, 'callout-title')]"):
            _wrap(title, "Callout Title")
    for source in root.xpath("//span[contains(@class, 'figure-source')]"):
        source.attrib["custom-style"] = "Figure Source"
    for notes in root.xpath("//*[contains(@class, 'table-notes')]"):
        notes.attrib["custom-style"] = "Table Notes"
    for source in root.xpath("//p[contains(@class, 'table-source')]"):
        _wrap(source, "Table Source")
    for quote in root.xpath("//figure[contains(@class, 'pull-quote')]"):
        quote.tag = "div"
        for caption in quote.xpath("figcaption"):
            caption.tag = "p"
            _wrap(caption, "Attribution")


def _masthead_lines(root):
    """A masthead's parts (the memo's kind and organisation, the summary's
    organisation and series) stand apart in print by CSS alone: a line each."""
    for part in root.xpath("//*[contains(@class, 'memo-kind') or contains(@class, 'masthead')]/span"):
        previous = part.getprevious()
        before = previous.tail if previous is not None else part.getparent().text
        if (before or "").strip() or previous is not None:
            part.addprevious(lxml.html.Element("br"))


def _wrap(element, style):
    """The element inside a div of that Word style."""
    wrapper = lxml.html.Element("div", {"custom-style": style})
    element.addprevious(wrapper)
    wrapper.tail, element.tail = element.tail, None
    wrapper.append(element)


def _contents(root):
    """The printed contents list gives way to a table of contents field, in
    its place (the writer puts it there); its heading's words title the field."""
    title = None
    for nav in root.xpath("//nav[contains(@class, 'contents')]"):
        heading = nav.xpath(".//h2")
        title = " ".join(heading[0].text_content().split()) if heading else ""
        field = lxml.html.Element("div", {"class": CONTENTS_FIELD, "title": title})
        field.tail = nav.tail
        nav.getparent().replace(nav, field)
    return title


def _numbers(root, formats):
    """What CSS counts in print, written in: 'Table 3. ' before a table's
    caption and 'Figure 2. ' before a figure's ('Table A.1. ' in an appendix),
    in a span of their own, so that a reader of the Word file tells the number
    from the caption; and the number after a cross-reference's word."""
    counters = {"section": 0, "appendix": 0, "table": 0, "figure": 0}
    numbers = {}
    for element in root.iter():
        kind, classes = _counted(element)
        if kind is None:
            continue
        if kind == "appendix":
            counters.update(appendix=counters["appendix"] + 1, table=0, figure=0)
        else:
            counters[kind] += 1
        in_appendix = bool(element.xpath("ancestor::section[contains(@class, 'appendix')]"))
        letter = _letter(counters["appendix"])
        number = {"section": str(counters["section"]), "appendix": letter}.get(
            kind, f"{letter}.{counters.get(kind)}" if in_appendix else str(counters.get(kind)))
        if element.get("id"):
            numbers[element.get("id")] = number
        if kind in ("table", "figure"):
            _label(element, kind, formats.get((kind, in_appendix)), counters)
    for link in root.xpath("//a[contains(@class, 'xref')]"):
        number = numbers.get(link.get("href", "").lstrip("#"))
        if number:
            link.text = (link.text or "") + number


def _counted(element):
    """(the counter an element steps, its classes): sections, appendices,
    tables (not a chart's data, but a wide table's pointer) and figures."""
    classes = (element.get("class") or "").split() if isinstance(element.tag, str) else []
    if element.tag == "section" and "section" in classes:
        return "section", classes
    if element.tag == "section" and "appendix" in classes:
        return "appendix", classes
    if (element.tag == "table" and "chart-data" not in classes) or "table-elsewhere" in classes:
        return "table", classes
    if element.tag == "figure" and "figure" in classes:
        return "figure", classes
    return None, classes


def _label(element, kind, tokens, counters):
    found = element.xpath("caption | .//*[contains(@class, 'table-caption')]" if kind == "table" else "figcaption")
    if not found or not tokens:
        return
    caption = found[0]
    label = lxml.html.Element("span", {"custom-style": "Caption Label"})
    label.text = "".join(_counter_text(counters[token[1]], token[2]) if token[0] == "counter" else token[1]
                         for token in tokens)
    label.tail, caption.text = caption.text, None
    caption.insert(0, label)


def _caption_formats(labels_css):
    """{(kind, in an appendix): content tokens} of the label rules: [("text",
    "Table "), ("counter", "appendix", "upper-alpha"), ("text", "."), ...]"""
    formats = {}
    for rule in tinycss2.parse_stylesheet(labels_css, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule":
            continue
        for selector in tinycss2.serialize(rule.prelude).split(","):
            if selector.strip() in CAPTION_SELECTORS:
                formats[CAPTION_SELECTORS[selector.strip()]] = _content(rule.content)
    return formats


def _content(declarations):
    tokens = []
    for declaration in tinycss2.parse_blocks_contents(declarations, skip_whitespace=True, skip_comments=True):
        if declaration.type != "declaration" or declaration.lower_name != "content":
            continue
        for token in declaration.value:
            if token.type == "string":
                tokens.append(("text", token.value))
            elif token.type == "function" and token.lower_name == "counter":
                names = [part.value for part in token.arguments if part.type == "ident"]
                tokens.append(("counter", names[0], names[1] if len(names) > 1 else "decimal"))
    return tokens


def _counter_text(value, style):
    return _letter(value) if style == "upper-alpha" else str(value)


def _letter(number):
    return chr(ord("A") + number - 1) if 1 <= number <= 26 else str(number)


def _drop(element):
    """Remove an element, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


class _Images:
    """Every image the page shows, read confined and bounded, inlined as PNG or
    as it is (JPEG, PNG); an SVG drawn by vl-convert, in this process, which
    drew the charts already (it hangs in a child forked after it ran)."""

    def __init__(self, composed):
        self.composed, self.read = composed, []

    def inline(self, image):
        data, kind, width = self._png(image.get("src", ""))
        image.set("src", f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}")
        figure = image.getparent()
        share = re.search(r"width:\s*([0-9.]+%)", figure.get("style", "")) if figure is not None else None
        if share:
            image.set("width", share.group(1))
        elif width:
            image.set("width", f"{width / CSS_PX_PER_INCH:.2f}in")

    def _png(self, url):
        data = self._bytes(url)
        if not _is_svg(data):
            return data, "jpeg" if data[:2] == b"\xff\xd8" else "png", None
        if not converter_installed():
            raise BriefError([Problem(self.composed.shown_path, 1, "", f"Word edition: SVG pictures: {NO_CONVERTER}")])
        converter = vl_converter()   # only here: see the class's comment
        png = converter.svg_to_png(data.decode("utf-8"), scale=PNG_SCALE, ppi=CSS_PX_PER_INCH * PNG_SCALE)
        return png, "png", _svg_width(png)

    def _bytes(self, url):
        parts = urlsplit(url)
        if parts.scheme == "data":
            header, _, body = url.partition(",")
            return base64.b64decode(body) if header.endswith(";base64") else unquote_to_bytes(body)
        path = Path(url2pathname(parts.path)) if parts.scheme == "file" \
            else Path(self.composed.base_dir) / unquote(parts.path)
        try:
            data = read_bytes(path, self.composed.roots, MAX_IMAGE_BYTES, where="the brief's and the theme's folders")
        except FileRefused as error:
            raise BriefError([Problem(self.composed.shown_path, 1, "", f"Word edition: {error}")]) from None
        self.read.append(path.resolve())
        return data


def _is_svg(data):
    head = data[:512].lstrip().lower()
    return head.startswith(b"<svg") or head.startswith(b"<?xml") and b"<svg" in data[:4096].lower()


def _svg_width(png):
    """The CSS width of the SVG a PNG was drawn from: its pixels over the scale."""
    return int.from_bytes(png[16:20], "big") / PNG_SCALE
