"""Citations and reference lists in a Citation Style Language style, formatted
by citeproc-py (imported only when a document cites or lists a reference).

A document is rendered twice when it cites: the first render records its
citation clusters in reading order (Citer), the processor numbers and
formats them all at once (numeric styles number by first citation, author-
date styles sort the list, note styles track first and later notes), and the
second render prints each cluster's text. Each cited item links to its entry.

citeproc-py's known defects are worked around in citeproc_fixes.py (its
_patch_* functions) and here (_cleaned), each guarded by tests/test_citations.py and the golden files
of tests/golden/: initials of hyphenated and lower-case given names ("Min-ho"
gave "M.-. ho ."), names in scripts without capitals taken for particles,
names not HTML-escaped, doubled punctuation ("et al..", "Inc.."), punctuation
outside quotation marks in locales that put it inside (US English), variables
a <substitute> printed printed again, labels of empty variables, localized
date delimiters, initialize="false", is-numeric="locator", sort keys with
markup, and its speed.

A style file is read as every outside file is (files.py: confined, bounded)
and refused when it declares XML entities; lxml parses the bytes."""

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from markupsafe import Markup

from ..util import cache
from .citeproc_fixes import LOOKUPS, TAGS, patch_citeproc
from ..util.files import MB, FileRefused, read_bytes
from .markdown import KOREAN_JOINS, WORD_JOINER, quotes_language
from ..inputs.sources import CJK, NOCASE, STYLED, yaml_to_csl

CSL_DIR = Path(__file__).parents[1] / "csl"   # briefgen/csl/
STYLES = {   # the bundled styles, from github.com/citation-style-language/styles (CC BY-SA 3.0)
    "apa": "apa.csl",
    "chicago-author-date": "chicago-author-date.csl",
    "chicago-note": "chicago-notes-bibliography.csl",
    "harvard": "harvard-cite-them-right.csl",
    "ieee": "ieee.csl",
    "vancouver": "nlm-citation-sequence.csl",   # Vancouver (ICMJE) is NLM's citation-sequence style
}
DEFAULT_STYLE = "apa"
CSL = "http://purl.org/net/xbiblio/csl"
MAX_STYLE_BYTES = 2 * MB   # the largest published styles are under 400 kB
OPEN, MIDDLE, CLOSE, SENTINEL = "\ue000", "\ue001", "\ue002", "\ue003"
CITED = re.compile(f"{OPEN}(\\d+){MIDDLE}(.*?){CLOSE}", re.DOTALL)   # one cited item's text
LOCATOR_LABELS = {   # Pandoc's abbreviations -> CSL locator types
    "p": "page", "pp": "page", "page": "page", "pages": "page", "chap": "chapter", "ch": "chapter",
    "chapter": "chapter", "sec": "section", "section": "section", "§": "section", "§§": "section",
    "para": "paragraph", "paragraph": "paragraph", "¶": "paragraph", "fig": "figure", "figure": "figure",
    "vol": "volume", "volume": "volume", "n": "note", "note": "note", "l": "line", "line": "line",
    "col": "column", "column": "column", "art": "article", "no": "issue", "bk": "book", "pt": "part",
}
LOCATOR = re.compile(r"\s*([^\d\s]+?)\.?\s*(\d.*)")
URL = re.compile(r"https?://[^\s<>\"]+?(?=[.,;)]?(?:\s|$|<))")
DOI = re.compile(r"(?<![/\w])(doi:\s?)(10\.\d{4,9}/[^\s<>\"]+?)(?=[.,;]?(?:\s|$|<))", re.IGNORECASE)
DOUBLED = re.compile(r"(?<!\.)([.?!])((?:</?[a-z]+[^>]*>)*)\.(?!\.)")
APOSTROPHE = re.compile(r"(?<=\w)(?:'|&#x27;|&#39;)(?=\w)")


@dataclass(frozen=True)
class Cite:
    """One item of a citation cluster: [@id], [-@id] ('suppress'), @id ('intext'), with a locator."""
    id: str
    locator: str = None
    mode: str = None


@dataclass
class Formatted:
    clusters: list                                 # (names or None, HTML) of each cluster, in reading order
    entries: list = field(default_factory=list)    # {'id', 'entry', 'label'} in the list's order
    notes: bool = False                            # a note style: clusters are footnotes
    references: list = field(default_factory=list)  # what templates print, in the list's order


@dataclass(frozen=True)
class Library:
    """A brief's bibliography files and where its citation style is found."""
    entries: tuple = ()              # sources.Entry of the bibliography files
    brief_dir: Path = None
    theme_dir: Path = None           # the brand's styles folder: a .csl its brand file names
    default_style: str = DEFAULT_STYLE   # the brand's, else APA
    chosen: Path = None              # --csl: wins over the brief's and the theme's

    def style_file(self, name=None):
        """--csl's style, else the brief's (citation_style:), else the theme's default;
        ValueError when unknown."""
        if self.chosen:
            return self.chosen
        if name:
            return style_path(name, self.brief_dir)
        return style_path(self.default_style, self.theme_dir)

    def format(self, brief, clusters):
        """The clusters' texts and the reference list of one variant: its YAML
        references (always listed) and the files' entries it cites."""
        yaml_items = {ref["id"]: yaml_to_csl(ref) for ref in brief["references"]}
        items = list(yaml_items.values()) + [entry.item for entry in self.entries]
        formatted = format_citations(items, clusters, self.style_file(brief.get("citation_style")),
                                     brief["language"], listed=list(yaml_items))
        by_id, yaml_refs = items_by_id(items), {ref["id"]: ref for ref in brief["references"]}
        words = _korean_words if quotes_language(brief["language"]) == "ko" else str
        formatted.clusters = [(names and words(names), words(text)) for names, text in formatted.clusters]
        formatted.references = [
            {**yaml_refs.get(entry["id"], _fields(by_id[entry["id"]])),
             "entry": Markup(words(entry["entry"])), "label": entry["label"]}
            for entry in formatted.entries]
        return formatted


def _korean_words(html_text):
    """Korean breaks lines between words only: word joiners inside them, as markdown.py does."""
    parts = TAGS.split(html_text)
    parts[::2] = [KOREAN_JOINS.sub(WORD_JOINER, part) for part in parts[::2]]
    return "".join(parts)


def _fields(item):
    """The YAML reference fields of a CSL item, for templates that print a short list."""
    names = item.get("author") or item.get("editor") or []
    author = ", ".join(str(name.get("literal") or " ".join(filter(None, (name.get("given"), name.get("family")))))
                       for name in names[:3]) + (" et al." if len(names) > 3 else "")
    year = (item.get("issued") or {}).get("date-parts", [[None]])[0][0] if isinstance(item.get("issued"), dict) else None
    return {"id": item["id"], "title": styled_plain(str(item.get("title", ""))), "author": author or None,
            "publisher": item.get("publisher"), "year": year, "url": item.get("URL"), "note": None}


class Citer:
    """The citations of one document: recorded on the first render, printed on the second."""

    def __init__(self, formatted=None):
        self.recorded, self.formatted, self.next = [], formatted, 0

    @property
    def notes(self):
        return bool(self.formatted and self.formatted.notes)

    def cite(self, cites):
        """(names or None, HTML) of a cluster (dicts of Cite's fields), in reading order."""
        if self.formatted is None:
            self.recorded.append(tuple(Cite(**cite) for cite in cites))
            return None, ""
        names, text = self.formatted.clusters[self.next]
        self.next += 1
        return names, text


def read_style(path):
    """A style's XML, read through files.py; FileRefused, or ValueError for a
    file that declares entities (an external entity would read any file)."""
    path = Path(path)
    data = read_bytes(path, path.parent, MAX_STYLE_BYTES, name=path.name, what="citation styles")
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        raise ValueError(f"'{path.name}' declares XML entities or a DOCTYPE, which a citation style does not need")
    return data


def style_problem(path):
    """Why a .csl file cannot be used as a style, or None."""
    from lxml import etree

    try:
        root = etree.fromstring(read_style(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except FileRefused as error:
        return f"citation style file {error}"
    except ValueError as error:
        return str(error)
    except etree.XMLSyntaxError as error:
        return f"'{Path(path).name}' is not a readable CSL style: {error.msg}"
    if etree.QName(root).localname != "style" or root.find(f"{{{CSL}}}citation") is None:
        return (f"'{Path(path).name}' is not an independent CSL style (no <citation>): a dependent style names "
                "its parent in <link rel=\"independent-parent\">; use that parent's .csl file")
    return None


def style_path(name, brief_dir, theme_dir=None):
    """The .csl file of a bundled style's name, or of a .csl path relative to
    the brief's folder (or the theme's styles folder); ValueError saying why not."""
    if name in STYLES:
        return CSL_DIR / STYLES[name]
    if not str(name).lower().endswith(".csl"):
        raise ValueError(f"unknown citation style '{name}'; expected one of {', '.join(STYLES)} or a .csl file")
    for folder in filter(None, (brief_dir, theme_dir)):
        candidate = Path(folder) / name
        if candidate.resolve().is_relative_to(Path(folder).resolve()) and candidate.is_file():
            return candidate
    raise ValueError(f"citation style file '{name}' not found beside the brief")


def chosen_style(value):
    """--csl NAME|PATH: a bundled style's .csl file, or a usable .csl file
    given from the working folder; ValueError in one line saying why not."""
    if value in STYLES:
        return CSL_DIR / STYLES[value]
    path = Path(value)
    if path.suffix.lower() != ".csl":
        raise ValueError(f"--csl {value}: unknown citation style; expected one of {', '.join(STYLES)} or a .csl file")
    if not path.is_file():
        raise ValueError(f"--csl {value}: no such file")
    problem = style_problem(path)
    if problem:
        raise ValueError(f"--csl {value}: {problem}")
    return path.resolve()


def style_label(value):
    """What names a style's outputs when several are built: 'apa', 'nature'."""
    return value if value in STYLES else Path(value).stem


def parse_locator(text):
    """'p. 12' -> ('page', '12'); '12' -> ('page', '12'); other text -> (None, text)."""
    text = text.strip()
    if text[:1].isdigit():
        return "page", text
    match = LOCATOR.fullmatch(text)
    if match and match.group(1).lower() in LOCATOR_LABELS:
        return LOCATOR_LABELS[match.group(1).lower()], match.group(2).strip()
    return None, text


# --- formatting ------------------------------------------------------------------

def format_citations(items, clusters, style_file, language, listed=()):
    """Format a document's clusters (lists of Cite) and its reference list: the
    cited items, then those of `listed` (ids) never cited. Kept by the cache
    (cache.py) under all of those and the style file's content: importing
    citeproc-py and reading the style cost a build more than the rest."""
    inputs = json.dumps([items, [[[cite.id, cite.locator, cite.mode] for cite in cluster] for cluster in clusters],
                         language, list(listed)], sort_keys=True, default=str)
    key = [hashlib.sha256(inputs.encode()).hexdigest(), hashlib.sha256(read_style(style_file)).hexdigest()]

    def formatted():
        result = _format_citations(items, clusters, style_file, language, listed)
        return {"clusters": result.clusters, "entries": result.entries, "notes": result.notes}
    found = cache.remembered("citations", key, formatted)
    return Formatted([tuple(cluster) for cluster in found["clusters"]], found["entries"], found["notes"])


def _format_citations(items, clusters, style_file, language, listed):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source import Locator
    from citeproc.source.json import CiteProcJSON

    patch_citeproc()
    style = _style(str(style_file), Path(style_file).stat().st_mtime_ns, _locale(language))
    kind = _kind(style)
    keys = {item["id"]: f"k{index}" for index, item in enumerate(items)}
    ids = {key: item_id for item_id, key in keys.items()}   # shadows are not in it
    shadows = {}   # an item cited without its author: a copy whose author is a sentinel, removed after
    by_id = items_by_id(items)
    json_items = [_prepared(item, keys[item["id"]]) for item in items]
    for cluster in clusters:
        for cite in cluster:
            if cite.mode in ("suppress", "intext") and kind == "author-date" and cite.id not in shadows:
                shadows[cite.id] = f"s{keys[cite.id]}"
                json_items.append(_prepared(_without_names(by_id[cite.id]), shadows[cite.id]))
    bibliography = CitationStylesBibliography(style, CiteProcJSON(json_items), formatter.html)

    def citation(cluster, start):
        cited = []
        for offset, cite in enumerate(cluster):
            arguments = {"prefix": f"{OPEN}{start + offset}{MIDDLE}", "suffix": CLOSE}
            if cite.locator:
                label, value = parse_locator(cite.locator)
                if label:
                    arguments["locator"] = Locator(label, value)
                else:
                    arguments["suffix"] = f", {html.escape(value)}{CLOSE}"
            key = shadows[cite.id] if cite.id in shadows and cite.mode in ("suppress", "intext") else keys[cite.id]
            cited.append(CitationItem(key, **arguments))
        return Citation(cited)

    flat = [cite for cluster in clusters for cite in cluster]
    citations, start = [], 0
    for cluster in clusters:
        citations.append(citation(cluster, start))
        start += len(cluster)
        # registered apart: the cited items themselves, in reading order
        bibliography.register(Citation([CitationItem(keys[cite.id]) for cite in cluster]))
    for item_id in listed:
        bibliography.register(Citation([CitationItem(keys[item_id])]))
    for shadow in shadows.values():
        bibliography.register(Citation([CitationItem(shadow)]))
    bibliography.sort()
    for item_citation in citations:
        item_citation.bibliography = bibliography
    texts = [_cleaned(str(bibliography.cite(item_citation, _unknown)), style) for item_citation in citations]
    entries = [_entry(ids[key], str(text), style, kind)
               for key, text in zip(bibliography.keys, bibliography.bibliography()) if key in ids]
    in_list = {entry["id"] for entry in entries}   # a note style leaves some out (encyclopedias, interviews)
    clusters_html = [_cluster_html(cluster, text, flat, style, by_id, in_list) for cluster, text in zip(clusters, texts)]
    return Formatted(clusters_html, entries, kind == "note")


def items_by_id(items):
    return {item["id"]: item for item in items}


def _unknown(item):
    raise KeyError(item.key)   # validation refuses unknown ids before any render


def _cluster_html(cluster, text, flat, style, by_id, in_list):
    """(names, HTML): the cluster's text with each item linked to its entry in
    the list; the names an author-in-text citation ('@id') prints before it, else None."""
    def link(match):
        cite_id = flat[int(match.group(1))].id
        if cite_id not in in_list:
            return match.group(2)
        return f'<a class="citation-link" href="#reference-{html.escape(cite_id)}">{match.group(2)}</a>'

    text = CITED.sub(link, re.sub(re.escape(SENTINEL) + r"[\s,]*", "", text))
    in_text = [cite for cite in cluster if cite.mode == "intext"]
    return (APOSTROPHE.sub("\u2019", _names_in_text(by_id[in_text[0].id], style)) if in_text else None), text


def _names_in_text(item, style):
    """'Smith', 'Smith and Jones', 'Smith et al.': the family names an author-in-text citation prints."""
    names = item.get("author") or item.get("editor") or []
    family = [html.escape(str(name.get("literal") or " ".join(
        filter(None, (name.get("non-dropping-particle"), name.get("family"))))), quote=False) for name in names]
    and_term = str(style.root.get_single_term("and") or "and")
    et_al = str(style.root.get_single_term("et-al") or "et al.")
    if not family:
        return html.escape(str(item.get("title", "")))
    if len(family) == 1:
        return family[0]
    if len(family) == 2:
        return f"{family[0]} {and_term} {family[1]}"
    return f"{family[0]} {et_al}"


def _entry(item_id, text, style, kind):
    """An entry's HTML, its URLs and DOIs linked; a numeric style's label apart."""
    text = _cleaned(text, style)
    label = None
    if kind == "numeric":
        match = re.match(r"\s*(\[?\d+\]?\.?)\s*", text)
        if match:
            label, text = match.group(1), text[match.end():]
    return {"id": item_id, "entry": _linked(text), "label": label}


def _linked(text):
    parts = TAGS.split(text)
    for index in range(0, len(parts), 2):
        parts[index] = URL.sub(lambda match: f'<a class="url" href="{match.group()}">{match.group()}</a>', parts[index])
        parts[index] = DOI.sub(lambda match: f'{match.group(1)}<a class="url" href="https://doi.org/{match.group(2)}">'
                                             f'{match.group(2)}</a>', parts[index])
    return "".join(parts)


def styled_html(text):
    """STYLED marks (a BibTeX value's sub- and superscripts, italics, bold) as HTML."""
    for tag, (opening, closing) in STYLED.items():
        text = text.replace(opening, f"<{tag}>").replace(closing, f"</{tag}>")
    return text.replace(NOCASE[0], "").replace(NOCASE[1], "")


def styled_plain(text):
    """STYLED marks dropped, for a plain-text field (N2O)."""
    return "".join(character for character in text if not "\ue020" <= character <= "\ue029")


def _cleaned(text, style):
    """Doubled punctuation removed ('et al..', 'Inc..'), apostrophes curled
    (O’Brien, as everywhere in the brief), and periods and commas moved inside
    closing quotation marks where the locale wants them there; a BibTeX
    value's STYLED marks as HTML."""
    text = styled_html(DOUBLED.sub(r"\1\2", text))
    parts = TAGS.split(text)
    parts[::2] = [APOSTROPHE.sub("\u2019", part) for part in parts[::2]]
    text = "".join(parts)
    if str(style.root.get_locale_option("punctuation-in-quote") or "").lower() == "true":
        close = re.escape(str(style.root.get_single_term("close-quote") or "”"))
        text = re.sub(f"([.?!]?)({close})({CLOSE}?)([.,])", lambda match: match.group(1) + (
            "" if match.group(1) else match.group(4)) + match.group(2) + match.group(3), text)   # “Working?” stays so
    return text


def _kind(style):
    """'note', 'numeric' or 'author-date', from the style's class and category."""
    if style.root.get("class") == "note":
        return "note"
    categories = style.root.xpath(".//cs:category/@citation-format", namespaces={"cs": "http://purl.org/net/xbiblio/csl"})
    return "numeric" if "numeric" in categories else "author-date"


def _prepared(item, key):
    """A CSL item for citeproc-py: our key, names escaped (citeproc-py prints
    them raw) and names in CJK scripts kept whole in their own order."""
    prepared = {**item, "id": key}
    for role in ("author", "editor", "translator", "container-author", "collection-editor"):
        if isinstance(item.get(role), list):
            prepared[role] = [_name(name) for name in item[role]]
    return prepared


def _name(name):
    name = {key: html.escape(str(value), quote=False) for key, value in name.items()}
    if "literal" not in name and CJK.search(name.get("family", "") + name.get("given", "")):
        return {"literal": name.get("family", "") + name.get("given", "")}
    return name


def _without_names(item):
    return {**{key: value for key, value in item.items() if key not in ("author", "editor")},
            "author": [{"literal": SENTINEL}]}


@lru_cache(maxsize=8)
def _style(path, mtime, locale):
    from citeproc import CitationStylesStyle

    for remembered in LOOKUPS:   # what _patch_speed remembers of the styles parsed before
        remembered.clear()
    return CitationStylesStyle(BytesIO(read_style(path)), locale=locale, validate=False)


def _locale(language):
    """The citeproc-py locale nearest a BCP 47 tag ('en-GB', 'ko' -> 'ko-KR')."""
    from citeproc import LOCALES_PATH

    available = sorted(file.stem.removeprefix("locales-") for file in Path(LOCALES_PATH).glob("locales-*.xml"))
    tag = str(language)
    if tag in available:
        return tag
    primary = tag.split("-")[0].lower()
    preferred = {"en": "en-US", "pt": "pt-PT", "zh": "zh-CN", "de": "de-DE", "fr": "fr-FR", "es": "es-ES"}
    if preferred.get(primary) in available:
        return preferred[primary]
    return next((name for name in available if name.split("-")[0].lower() == primary), "en-US")
