"""The web writer: the full brief as one accessible, responsive page,
`<out>/<brief>/index.html`, with everything it shows copied beside it (the
PDF editions next to the page, stylesheet, fonts, images and charts in
assets/), every path relative: the folder opens from disk or uploads anywhere.

The page is composed from the theme's `web/<variant>.html` templates with the
content of the full brief. Composition writes print conventions, which this
writer turns into the web's:
- file URLs (stylesheets, fonts, images, the logo, the PDFs) become copies
  in the folder, named by their content (a changed file gets a new name, so
  no browser or server cache shows a stale one);
- the print stylesheets (brief.css, the brand's) give the web edition their
  tokens only, the @font-face rules and the :root custom properties; the
  theme's web.css, whole, does the rest (one bundled assets/style.<hash>.css);
- footnotes, printed at the foot of their page, become endnotes with links
  back to their call;
- cross-references, numbered by CSS target-counter() in print (which no
  browser has), get their numbers written in.
"""

import hashlib
import posixpath
import re
from base64 import b64decode
from html import unescape
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

import tinycss2
from markupsafe import escape

from ..util.files import FileRefused, read_bytes
from ..render.layout import MAX_RESOURCE_BYTES
from ..util.atomic import atomic_file
from ..problems import BriefError, Problem
from . import Written

EXTENSION = ".html"
PAGE = "index.html"
ASSETS = "assets"
EDITION = "web"          # composed from the theme's web/<variant>.html templates, stylesheets web.css
VARIANTS = ("full",)     # the web edition is the full brief
WEB_STYLESHEET = "web.css"
# Stylesheets a page takes whole (of the others, the tokens only): the web
# edition's, and the changes document's (review/), written for print and screen.
WHOLE_STYLESHEETS = (WEB_STYLESHEET, "changes.css")
DOCUMENTS = (".pdf",)    # copied beside the page, under their own names

STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="([^"]*)">\n?')
URL_ATTRIBUTE = re.compile(r'\b(src|href)="([^"#][^"]*)"')
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
STYLE_ELEMENT = re.compile(r"(<style>)(.*?)(</style>)", re.S)
STYLE_ATTRIBUTE = re.compile(r'(\bstyle=")([^"]*)(")')
NOTE_START = re.compile(r'<span class="footnote" id="footnote-(\d+)" data-number="\d+">')
NOTE_CALL = '<a class="footnote-call" href="#footnote-{0}">{0}</a>'
ENDNOTES = re.compile(r'(<ol class="endnotes-list" data-back="([^"]*)">)(</ol>)')
NO_NOTES = re.compile(r'<section class="endnotes".*?</section>\n?', re.S)
XREF = re.compile(r'<a class="xref xref-(fig|tbl|sec)" href="#([^"]+)">([^<]*)&nbsp;</a>')
NUMBERED = {  # what CSS counts in print (brief.css): figures and charts, tables but a chart's data, sections
    "fig": re.compile(r'<figure class="figure(?: [^"]*)?"(?: id="([^"]+)")?'),
    "tbl": re.compile(r'<table(?! class="chart-data")(?: id="([^"]+)")?[^>]*>'),
    "sec": re.compile(r'<section class="section(?: [^"]*)?" id="([^"]+)"'),
}


def target(out_dir, stem, variant):
    """<out>/<brief>/index.html: the page is a folder's index."""
    return Path(out_dir) / stem / PAGE


def write(composed, target, options, after_layout, assets=ASSETS):
    """Write the page and copy what it refers to; the page last, so that a
    failure leaves the last good page (and the assets it names) in place.
    assets: the folder beside the page that the copies go to."""
    folder = Path(target).parent
    bundle = _Bundle(folder, (*composed.roots, folder.parent), composed.base_dir, composed.shown_path, assets)
    html = _endnotes(_numbered_references(composed.html))
    html = bundle.page(html)
    with atomic_file(target, "w") as file:
        file.write(html)
    bundle.remove_stale()
    return Written(Path(target), pages=0, served=bundle.read, files=[Path(target), *bundle.written])


class _Bundle:
    """The files a page refers to, copied into its folder."""

    def __init__(self, folder, roots, base_dir, shown_path, assets=ASSETS):
        self.folder, self.roots, self.base_dir, self.shown_path = folder, roots, Path(base_dir), shown_path
        self.assets = assets
        self.copies = {}      # source file -> its name relative to the folder
        self.written, self.read = [], []

    def page(self, html):
        first = STYLESHEET_LINK.search(html)
        if first:  # one bundled stylesheet where the first link was
            link = f'<link rel="stylesheet" href="{self._stylesheet(STYLESHEET_LINK.findall(html))}">\n'
            html = html[:first.start()] + link + STYLESHEET_LINK.sub("", html[first.end():])
        html = STYLE_ELEMENT.sub(lambda m: m.group(1) + self._css(m.group(2), self.base_dir) + m.group(3), html)
        html = STYLE_ATTRIBUTE.sub(lambda m: m.group(1) + self._css(m.group(2), self.base_dir, quote="'") + m.group(3),
                                  html)
        return URL_ATTRIBUTE.sub(self._attribute, html)

    def _attribute(self, match):
        """src: a file of the brief or the theme; href: only file URLs (the PDF
        editions): a relative link of the content stays as it is."""
        name, url = match.group(1), unescape(match.group(2))
        if name == "href" and urlsplit(url).scheme.lower() != "file":
            return match.group()
        return f'{name}="{escape(self._url(url, self.base_dir))}"'

    def _stylesheet(self, urls):
        """One stylesheet: the tokens of the print stylesheets and the whole of
        each web.css, in cascade order, with its URLs pointing to copies."""
        sheets = []
        for url in urls:
            url = unescape(url)
            if url.startswith("data:"):
                css, base = _data_text(url), self.base_dir
            else:
                path = self._path(url, self.base_dir)
                css, base = self._read(path).decode("utf-8"), path.parent
            if not url.endswith(tuple("/" + name for name in WHOLE_STYLESHEETS)):
                css = _tokens(css)
            sheets.append((css, base))
        families = _used_families([css for css, _ in sheets])
        parts = [self._css(_fonts_used(css, families), base, self.assets) for css, base in sheets]
        return self._store("\n".join(parts).encode("utf-8"), "style.css")

    def _css(self, css, base, seen_from=".", quote='"'):
        """seen_from: the folder (in the page's) of the stylesheet the CSS is in;
        quote: the one that does not end the style attribute the CSS may be in."""
        return CSS_URL.sub(lambda m: f"url({quote}{self._url(m.group(2), base, seen_from)}{quote})", css)

    def _url(self, url, base, seen_from="."):
        """A local file's URL -> its copy's, relative to seen_from; others as they are."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("", "file") or url.startswith("//"):
            return url
        return posixpath.relpath(self._copy(self._path(url, base)), seen_from)

    def _path(self, url, base):
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            return Path(url2pathname(parts.path))
        return Path(base) / unquote(parts.path)

    def _copy(self, path):
        if path not in self.copies:
            data = self._read(path)
            if path.suffix.lower() in DOCUMENTS:
                self.copies[path] = self._write(path.name, data)
            else:
                self.copies[path] = self._store(data, path.name)
        return self.copies[path]

    def _read(self, path):
        try:
            data = read_bytes(path, self.roots, MAX_RESOURCE_BYTES, where="the brief's and the theme's folders")
        except FileRefused as error:
            raise BriefError([Problem(self.shown_path, 1, "", f"web edition: {error}")]) from None
        self.read.append(Path(path).resolve())
        return data

    def _store(self, data, name):
        """assets/<name>.<hash><suffix>: a name that changes with the content."""
        stem, suffix = Path(name).stem, Path(name).suffix
        return self._write(f"{self.assets}/{stem}.{hashlib.sha256(data).hexdigest()[:10]}{suffix}", data)

    def _write(self, name, data):
        file = self.folder / name
        if not (file.is_file() and file.read_bytes() == data):   # an unchanged file keeps its time
            with atomic_file(file, "wb") as handle:
                handle.write(data)
        self.written.append(file)
        return name

    def remove_stale(self):
        """Assets of earlier builds that the page no longer names."""
        kept = set(self.written)
        for file in (self.folder / self.assets).glob("*"):
            if file.is_file() and file not in kept:
                file.unlink(missing_ok=True)


def _data_text(url):
    header, _, body = url.partition(",")
    return (b64decode(body) if header.endswith(";base64") else unquote_to_bytes(body)).decode("utf-8")


def _tokens(css):
    """Of a print stylesheet, what the web edition shares: @font-face rules and :root tokens."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    kept = [rule.serialize() for rule in rules
            if (rule.type == "at-rule" and rule.lower_at_keyword == "font-face")
            or (rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == ":root")]
    return "\n".join(kept)


def _used_families(sheets):
    """Families the page's CSS sets text in: each --font-* token's last value on
    :root (the theme's over the default's) and every font-family declaration."""
    tokens, named = {}, set()
    for css in sheets:
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            root = tinycss2.serialize(rule.prelude).strip() == ":root"
            for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if item.type != "declaration":
                    continue
                if root and item.name.startswith("--font"):
                    tokens[item.name] = _family_names(item.value)
                elif item.lower_name == "font-family":
                    named |= _family_names(item.value)
    return named.union(*tokens.values())


def _family_names(tokens):
    """'"Open Sans", Lato, serif' -> {'Open Sans', 'Lato', 'serif'}."""
    names, words = set(), []
    for token in tokens + [tinycss2.ast.LiteralToken(0, 0, ",")]:
        if token.type == "string":
            words.append(token.value)
        elif token.type == "ident":
            words.append(token.value)
        elif token.type == "literal" and token.value == ",":
            names.add(" ".join(words))
            words = []
    return names - {""}


def _fonts_used(css, families):
    """The CSS without the @font-face rules of families the page does not use (the
    default theme's, under a theme with fonts of its own): no copies of them."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True)
    kept = [rule for rule in rules if not (rule.type == "at-rule" and rule.lower_at_keyword == "font-face"
                                           and _face_family(rule) not in families)]
    return tinycss2.serialize(kept) if len(kept) < len(rules) else css


def _face_family(rule):
    for item in tinycss2.parse_blocks_contents(rule.content or [], skip_comments=True, skip_whitespace=True):
        if item.type == "declaration" and item.lower_name == "font-family":
            return next(iter(_family_names(item.value)), None)
    return None


def _endnotes(html):
    """Each footnote moves to the list of notes (the template's
    <ol class="endnotes-list">), with a link back to its call."""
    notes = []
    while True:
        start = NOTE_START.search(html)
        if not start:
            break
        number, end = start.group(1), _closing_span(html, start.end())
        body = html[start.end():end]
        html = html[:start.start()] + html[end + len("</span>"):]
        html = html.replace(NOTE_CALL.format(number),
                            f'<a class="footnote-call" id="note-call-{number}" href="#footnote-{number}" '
                            f'role="doc-noteref">{number}</a>', 1)
        notes.append((number, body))
    if not notes:
        return NO_NOTES.sub("", html)

    def listed(match):   # the back link's words are the template's, in the brief's language
        items = [f'<li id="footnote-{number}">{body} <a class="note-back" '
                 f'href="#note-call-{number}" role="doc-backlink" aria-label="{match.group(2)} {number}">↩</a></li>'
                 for number, body in notes]
        return match.group(1) + "\n" + "\n".join(items) + "\n" + match.group(3)
    return ENDNOTES.sub(listed, html, 1)


def _closing_span(html, position):
    """Where the </span> closing a span whose content starts at position is."""
    depth = 1
    for match in re.finditer(r"<span\b|</span>", html[position:]):
        depth += 1 if match.group() == "<span" else -1
        if depth == 0:
            return position + match.start()
    raise ValueError("unbalanced footnote")


def _numbered_references(html):
    """'Figure ' -> 'Figure 2': the number CSS counts for the target in print."""
    numbers = {}
    for kind, pattern in NUMBERED.items():
        for number, match in enumerate(pattern.finditer(html), 1):
            if match.group(1):
                numbers[match.group(1)] = number
    return XREF.sub(lambda m: f'<a class="xref xref-{m.group(1)}" href="#{m.group(2)}">{m.group(3)}&nbsp;'
                              f'{numbers.get(m.group(2), "")}</a>', html)


INDEX_PAGE = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; line-height: 1.5; margin: 0 auto; max-width: 40rem; padding: 1rem; }}
a {{ color: #1f3a5f; }}
li {{ margin-block: 0.5rem; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<ul>
{items}
</ul>
</main>
</body>
</html>
"""


def write_index(title, entries, folder, language="en"):
    """A series' index page (series.py): each brief's title, linked to its
    page; a row without a page is listed unlinked."""
    items = []
    for entry in entries:
        page = next((file for file in entry["files"].values() if file), "")
        name = escape(entry["title"] or entry["key"])
        items.append(f'<li><a href="{escape(page)}">{name}</a></li>' if page else f"<li>{name}</li>")
    html = INDEX_PAGE.format(language=escape(language), title=escape(title), items="\n".join(items))
    with atomic_file(Path(folder) / PAGE, "w") as file:
        file.write(html)
