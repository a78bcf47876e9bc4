"""Helpers for the tests of the web edition: building the sample's editions,
reading a page's text, links and metadata, and the browser (Playwright driving
Debian's chromium; never a downloaded browser)."""

import json
import re
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html
from babel.messages.pofile import read_po
from pypdf import PdfReader

CATALOGUES = Path(__file__).resolve().parent.parent / "templates" / "default" / "locale"
CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network: without these chromium tries to reach Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def page_tree(page):
    return lxml_html.parse(str(page)).getroot()


def letters(text):
    """Letters only, lower case, hyphenation at line ends undone: the same
    words set in another layout (lines, cells, CSS numbers) compare equal."""
    text = re.sub(r"(\w)[-\u2010]\n(\w)", r"\1\2", text)
    return re.sub(r"[\W\d_]+", "", text).lower()


def page_text(page):
    """The page's text and the text of the SVG images it shows (charts draw
    their labels as text in the PDF), as letters()."""
    shown, drawn = _texts(page)
    return letters(shown) + "|" + letters(drawn)


def _texts(page):
    tree = page_tree(page)
    for hidden in tree.body.xpath("//script|//style"):
        hidden.drop_tree()
    drawn = " ".join(" ".join(etree.parse(str(file)).getroot().itertext())
                     for file in sorted(Path(page).parent.glob("assets/*.svg")))
    return tree.body.text_content(), drawn


def pdf_lines(pdf, series, language="en"):
    """The PDF's lines without the page furniture that only print has: the
    page number, the running head's series, the words "Figure 2." and
    "Table 1." that print's CSS counters write (the web page's CSS writes
    them too), in the brief's language."""
    page_label, figure, table = (_label_pattern(language, label) for label in
                                 ("Page %(page)s of %(pages)s", "Figure %(number)s.", "Table %(number)s."))
    lines = []
    for page in PdfReader(pdf).pages:
        for line in page.extract_text().splitlines():
            line = re.sub(f"{page_label}$", "", line)
            line = re.sub(f"^({figure}|{table}) ", "", line)
            lines.append(line.removesuffix(series))
    return [line for line in lines if letters(line)]


def _label_pattern(language, label):
    """A label of the catalogue as a pattern: its numbers any number."""
    with open(CATALOGUES / language / "LC_MESSAGES" / "brief.po", "rb") as file:
        text = read_po(file).get(label).string or label
    return re.sub(r"%\\\(\w+\\\)s", r"\\d+", re.escape(text))


def local_references(page):
    """Every src and href of the page and of its stylesheets that names a file."""
    tree = page_tree(page)
    found = [(page, value) for value in tree.xpath("//@src | //@href")]
    for sheet in tree.xpath("//link[@rel='stylesheet']/@href"):
        css = (Path(page).parent / sheet).read_text(encoding="utf-8")
        found += [(Path(page).parent / sheet, url) for url in re.findall(r'url\("([^"]+)"\)', css)]
    return [(where, url) for where, url in found
            if not re.match(r"(https?:|mailto:|data:|#)", url)]


def json_ld(page):
    [script] = page_tree(page).xpath("//script[@type='application/ld+json']/text()")
    return json.loads(script)


def meta(page, key):
    tree = page_tree(page)
    return tree.xpath(f"//meta[@name='{key}' or @property='{key}']/@content")
