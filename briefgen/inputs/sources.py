"""Bibliography files a brief names (`bibliography:`), read into CSL-JSON
items: CSL-JSON as Zotero exports it, and BibTeX/BibLaTeX (pybtex) mapped to
CSL fields. The YAML `references:` list is mapped to the same items. Every
problem is one line at the file and line of the entry (entries.py formats).

pybtex is imported only when a brief names a .bib file."""

import codecs
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..util.files import MB, FileRefused, read_bytes
from ..problems import Problem

MAX_BIBLIOGRAPHY_BYTES = 10 * MB   # a reference manager's export of a large library
TYPES = (".json", ".bib")
ID = re.compile(r"[A-Za-z0-9_.:-]+")

# BibTeX/BibLaTeX entry types -> CSL types (as Better BibTeX and Pandoc map them)
BIB_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "inbook": "chapter",
    "incollection": "chapter", "inreference": "entry-encyclopedia", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "collection": "book", "techreport": "report",
    "report": "report", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "webpage", "electronic": "webpage", "www": "webpage", "manual": "book", "booklet": "pamphlet",
    "unpublished": "manuscript", "dataset": "dataset", "patent": "patent", "periodical": "periodical",
    "legislation": "legislation", "legal": "legal_case", "software": "software", "misc": "document",
}
# BibTeX fields copied as they are (after LaTeX decoding) to a CSL variable
BIB_FIELDS = {
    "title": "title", "shorttitle": "title-short", "journal": "container-title",
    "journaltitle": "container-title", "booktitle": "container-title", "volume": "volume",
    "edition": "edition", "publisher": "publisher", "address": "publisher-place",
    "location": "publisher-place", "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN",
    "series": "collection-title", "type": "genre", "version": "version", "note": "note",
    "chapter": "chapter-number", "eprint": "number", "howpublished": "medium",
    "language": "language", "langid": "language", "abstract": None, "file": None, "keywords": None,
}
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")


class SourceError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class Entry:
    """One bibliography entry: its CSL-JSON item, and where it was written."""
    id: str
    item: dict
    file: str
    line: int

    @property
    def where(self):
        return f"{self.file}:{self.line}"


def bibliography_files(data):
    """The brief's `bibliography:` as a list of relative paths (one file or a
    list). Anything else (a number, a mapping) names no file: the schema
    reports its type."""
    value = data.get("bibliography")
    if isinstance(value, str):
        return [value]
    return [name for name in value if isinstance(name, str)] if isinstance(value, list) else []


def read_bibliographies(loaded):
    """Entries of every bibliography file of a loaded brief, and the problems
    found (duplicate ids across the files and the YAML list included)."""
    entries, problems = [], []
    folder = loaded.path.parent
    for index, name in enumerate(bibliography_files(loaded.data)):
        path = ("bibliography", index) if isinstance(loaded.data.get("bibliography"), list) else ("bibliography",)
        if Path(name).suffix.lower() not in TYPES:
            problems.append(loaded.problem(path, f"'{name}' is not a CSL-JSON (.json) or BibTeX (.bib) file"))
            continue
        try:
            data = read_bytes(folder / name, folder, MAX_BIBLIOGRAPHY_BYTES, name=name, what="bibliography files")
            stat = (folder / name).stat()
        except FileRefused as error:
            problems.append(loaded.problem(path, f"bibliography file {error}"))
            continue
        file_entries, file_problems = _read_once((str(folder / name), _shown(loaded, name), stat.st_mtime_ns,
                                                  len(data)), data)
        entries += file_entries
        problems += file_problems
    problems += duplicate_problems(yaml_entries(loaded) + entries)
    return entries, problems


def _shown(loaded, name):
    """The file as messages name it: beside the brief's name as shown."""
    return str(Path(loaded.shown_path).parent / name)


_READ = {}   # (path, shown name, mtime, size) -> (entries, problems), the last few files read


def _read_once(version, data):
    """A file parsed once per version (validation and every variant ask for it);
    keyed by its version, not its bytes, which may be megabytes."""
    if version not in _READ:
        path, shown = version[:2]
        if not _utf8(data):
            result = [], [Problem(shown, 1, "", "the file is not UTF-8 text")]
        else:
            reader = read_csl_json if path.lower().endswith(".json") else read_bibtex
            result = reader(data.decode("utf-8-sig"), shown)
        while len(_READ) >= 32:
            _READ.pop(next(iter(_READ)))
        _READ[version] = result
    return _READ[version]


def _utf8(data):
    try:
        data.decode("utf-8-sig")
        return True
    except UnicodeDecodeError:
        return False


def duplicate_problems(entries):
    seen, problems = {}, []
    for entry in entries:
        if entry.id in seen:
            problems.append(Problem(entry.file, entry.line, "",
                                    f"reference id '{entry.id}' is already used by {seen[entry.id]}"))
        seen.setdefault(entry.id, entry.where)
    return problems


def yaml_entries(loaded, references=None, prefix=("references",)):
    """The YAML `references:` as entries (for duplicate checks against the files)."""
    references = loaded.data.get("references") if references is None else references
    return [Entry(ref["id"], {}, loaded.shown_path, loaded.line_of(prefix + (index, "id")))
            for index, ref in enumerate(references if isinstance(references, list) else ())
            if isinstance(ref, dict) and isinstance(ref.get("id"), str)]


# --- CSL-JSON ---------------------------------------------------------------

def read_csl_json(text, shown):
    """Entries of a CSL-JSON array, each at the line where its object opens."""
    decoder = json.JSONDecoder()
    position = _skip(text, 0)
    if not text[position:position + 1] == "[":
        return [], [Problem(shown, _line(text, position), "", "expected a CSL-JSON array '[ {...}, ... ]' "
                                                             "(Zotero: Export Collection, format CSL JSON)")]
    entries, problems = [], []
    position = _skip(text, position + 1)
    while text[position:position + 1] != "]":
        line = _line(text, position)
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            return entries, problems + [Problem(shown, error.lineno, "", f"not valid JSON: {error.msg}")]
        problem = _csl_item_problem(item)
        if problem:
            problems.append(Problem(shown, line, "", problem))
        else:
            entries.append(Entry(str(item["id"]), item, shown, line))
        position = _skip(text, position)
        if text[position:position + 1] == ",":
            position = _skip(text, position + 1)
        elif text[position:position + 1] != "]":
            return entries, problems + [Problem(shown, _line(text, position), "", "not valid JSON: expected ',' or ']'")]
    return entries, problems


def _csl_item_problem(item):
    if not isinstance(item, dict):
        return "an entry must be an object {\"id\": ..., \"type\": ..., ...}"
    if not isinstance(item.get("id"), (str, int)) or not ID.fullmatch(str(item["id"])):
        return (f"entry id {json.dumps(item.get('id'))} is missing or not an id (letters, digits, '-', '_', '.', ':')")
    if not isinstance(item.get("type"), str):
        return f"entry '{item['id']}' has no 'type' (article-journal, book, report, webpage, ...)"
    if not isinstance(item.get("title", ""), str):
        return f"entry '{item['id']}': 'title' must be text"
    for key in ("author", "editor", "translator", "container-author"):
        names = item.get(key, [])
        if not isinstance(names, list) or not all(isinstance(name, dict) for name in names):
            return f"entry '{item['id']}': '{key}' must be a list of names ({{\"family\": ..., \"given\": ...}})"
    for key in ("issued", "accessed"):
        if key in item and not (isinstance(item[key], dict) and _date_ok(item[key])):
            return f"entry '{item['id']}': '{key}' must be a date such as {{\"date-parts\": [[2024, 5, 1]]}}"
    return None


def _date_ok(date):
    parts = date.get("date-parts")
    if parts is None:
        return "literal" in date or "raw" in date
    return isinstance(parts, list) and all(
        isinstance(part, list) and all(isinstance(number, (int, str)) and str(number).strip("-").isdigit()
                                       for number in part) for part in parts)


def _skip(text, position):
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _line(text, position):
    return text.count("\n", 0, position) + 1


# --- BibTeX / BibLaTeX ---------------------------------------------------------

def read_bibtex(text, shown):
    """Entries of a .bib file, mapped to CSL items, each at the line of its '@type{key,'."""
    try:
        from pybtex.database import BibliographyDataError
        from pybtex.database.input.bibtex import Parser
        from pybtex.scanner import PybtexSyntaxError
    except ImportError:  # pragma: no cover - a dependency of the package
        return [], [Problem(shown, 1, "", "reading .bib files needs pybtex: pip install pybtex")]
    starts = {match.group(2): _line(text, match.start())
              for match in re.finditer(r"@(\w+)\s*[{(]\s*([^,\s]+)\s*,", text)}
    try:
        data = Parser().parse_string(text)
    except PybtexSyntaxError as error:
        reason = str(error).split(": ", 1)[-1]   # 'syntax error in line 3: premature end of file'
        return [], [Problem(shown, error.lineno or 1, "", f"BibTeX syntax error: {reason}")]
    except BibliographyDataError as error:
        key = re.search(r"entry:? (\S+)", str(error))
        line = _last_line(text, key.group(1)) if key else 1
        return [], [Problem(shown, line, "", f"BibTeX: {error}")]
    entries, problems = [], []
    for key, entry in data.entries.items():
        line = starts.get(key, 1)
        if not ID.fullmatch(key):
            problems.append(Problem(shown, line, "", f"entry key '{key}' is not an id (letters, digits, '-', '_', '.', ':')"))
            continue
        try:
            entries.append(Entry(key, bibtex_to_csl(key, entry), shown, line))
        except ValueError as error:
            problems.append(Problem(shown, line, "", f"entry '{key}': {error}"))
    return entries, problems


def _last_line(text, key):
    matches = list(re.finditer(r"@\w+\s*[{(]\s*" + re.escape(key) + r"\s*,", text))
    return _line(text, matches[-1].start()) if matches else 1


def bibtex_to_csl(key, entry):
    fields = {name.lower(): value for name, value in entry.fields.items()}
    kind = BIB_TYPES.get(entry.type.lower(), "document")
    subtype = fields.get("entrysubtype", "").lower()
    if kind == "article-journal" and subtype in ("newspaper", "magazine"):
        kind = f"article-{subtype}"
    if kind == "document" and "url" in fields:
        kind = "webpage"
    item = {"id": key, "type": kind}
    for name, value in fields.items():
        target = BIB_FIELDS.get(name, "")
        if target:
            item[target] = value.strip() if target in ("URL", "DOI") else plain(value, target in CASED_FIELDS)
    _urls_from_notes(item, fields)
    if "pages" in fields:
        item["page"] = plain(fields["pages"]).replace("--", "-").replace("–", "-")
    if "number" in fields:
        item["issue" if kind.startswith("article") else "number"] = plain(fields["number"])
    for name in ("institution", "school", "organization"):
        if name in fields and "publisher" not in item:
            item["publisher"] = plain(fields[name])
    if kind == "thesis" and "genre" not in item:
        item["genre"] = "PhD thesis" if entry.type.lower() == "phdthesis" else (
            "Master's thesis" if entry.type.lower() == "mastersthesis" else "Thesis")
    issued = _bib_date(fields.get("date"), fields.get("year"), fields.get("month"), fields.get("day"))
    if issued:
        item["issued"] = issued
    accessed = _bib_date(fields.get("urldate"), None, None, None)
    if accessed:
        item["accessed"] = accessed
    for role in ("author", "editor", "translator"):
        if role in entry.persons:
            item[role] = [_bib_name(person, plain) for person in entry.persons[role]]
    return item


# LaTeX markup a BibTeX value keeps, as private-use marks that pass through
# citeproc-py untouched; citations.py turns them into HTML (STYLED_HTML).
# (citations.py's own marks are U+E000 to U+E003.)
STYLED = {"sub": ("\ue020", "\ue021"), "sup": ("\ue022", "\ue023"),
          "i": ("\ue024", "\ue025"), "b": ("\ue026", "\ue027")}
# Text a style must not re-case (title case: "Clupea Harengus"): a brace group
# inside a title ({DNA}, {B}altic), as BibTeX protects it, and italics (species
# names). citeproc_fixes.py keeps it as written; citations.py drops the marks.
NOCASE = ("\ue028", "\ue029")
CASED_FIELDS = ("title", "title-short", "container-title", "collection-title")
STYLED_COMMANDS = {"textsubscript": "sub", "textsuperscript": "sup", "textit": "i", "emph": "i",
                   "mkbibemph": "i", "textsl": "i", "textbf": "b", "mkbibbold": "b"}
GROUP = r"\{((?:[^{}]|\{[^{}]*\})*)\}"        # one brace group, one level of braces inside
URL_COMMAND = re.compile(r"\\url\s*" + GROUP)
HREF_COMMAND = re.compile(r"\\href\s*" + GROUP + r"\s*" + GROUP)


def _urls_from_notes(item, fields):
    """howpublished = {\\url{...}} and a \\url in note are where many .bib files
    keep an address: it becomes the item's URL, and a howpublished that was only
    an address is no medium ("[Https://...]")."""
    for name in ("howpublished", "note"):
        address = url_in(fields.get(name, ""))
        if not address:
            continue
        item.setdefault("URL", address)
        variable = BIB_FIELDS[name]
        rest = URL_COMMAND.sub("", HREF_COMMAND.sub("", fields[name])).strip(" .,;:{}")
        if not rest:
            item.pop(variable, None)
        elif item.get(variable, "").strip() == address:
            item.pop(variable)
        elif address in item.get(variable, ""):
            item[variable] = " ".join(item[variable].replace(address, "").split()).strip(" .,;:") or None
            if not item[variable]:
                item.pop(variable)


def plain(value, protect=False):
    """A BibTeX value as text: LaTeX accents and symbols decoded (latexcodec, as
    pybtex does); maths sub- and superscripts (N$_2$O), \\textit, \\emph and
    \\textbf kept as STYLED marks; \\url and \\href as their text; other
    commands dropped, braces removed.
    (pybtex's Text.from_latex looks its plugins up anew on every call: 0.1 s an entry.)"""
    import latexcodec  # noqa: F401  (registers the 'ulatex' codec; a dependency of pybtex)

    text = HREF_COMMAND.sub(lambda match: match.group(2), str(value))
    text = URL_COMMAND.sub(lambda match: match.group(1).replace("%", "\ue010"), text)
    text = re.sub(r"\$([^$]*)\$", lambda match: _maths(match.group(1)), text)
    text = codecs.decode(text, "ulatex").replace("\ue010", "%")
    for command, kind in STYLED_COMMANDS.items():
        opening, closing = STYLED[kind]
        text = re.sub(r"\\" + command + r"\s*" + GROUP, lambda match: opening + match.group(1) + closing, text)
    text = re.sub(r"\\[A-Za-z]+\s*(?=\{)", "", text)
    if protect:   # a brace group of a title protects its case; the whole value's own braces do not
        inner = text[1:-1] if re.fullmatch(GROUP, text.strip()) else text
        text = re.sub(GROUP, lambda match: NOCASE[0] + match.group(1) + NOCASE[1], inner)
    return " ".join(text.replace("{", "").replace("}", "").split())


def _maths(formula):
    """Inline maths as text: _x and _{xy} subscripts, ^x and ^{xy} superscripts."""
    def script(match):
        opening, closing = STYLED["sub" if match.group(1) == "_" else "sup"]
        return opening + (match.group(2) or match.group(3)) + closing
    return re.sub(r"([_^])(?:\{([^{}]*)\}|(\S))", script, formula)


def url_in(value):
    """The address of a \\url{...} or \\href{...}{...} in a BibTeX value, or None."""
    match = URL_COMMAND.search(str(value)) or HREF_COMMAND.search(str(value))
    return match and match.group(1).strip()


def _bib_date(date, year, month, day):
    if date:
        match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", date)
        if not match:
            raise ValueError(f"date '{date}' is not an ISO date such as 2024-05-01")
        return {"date-parts": [[int(part) for part in match.groups() if part]]}
    if not year:
        return None
    if not year.strip().isdigit():
        return {"literal": year.strip()}
    parts = [int(year)]
    month_number = MONTHS.get((month or "").strip().lower()[:3]) or (int(month) if (month or "").strip().isdigit() else None)
    if month_number:
        parts.append(month_number)
        if (day or "").strip().isdigit():
            parts.append(int(day))
    return {"date-parts": [parts]}


def _bib_name(person, plain):
    """A pybtex person as a CSL name; '{World Health Organization}' is a literal name."""
    last = " ".join(person.last_names)
    given = " ".join(person.first_names + person.middle_names)
    if not given and len(person.last_names) == 1 and last.startswith("{") and last.endswith("}"):
        return {"literal": plain(last)}
    name = {"family": plain(last)}
    if given:
        name["given"] = plain(given)
    if person.prelast_names:
        name["non-dropping-particle"] = plain(" ".join(person.prelast_names))
    if person.lineage_names:
        name["suffix"] = plain(" ".join(person.lineage_names))
    return name


# --- the YAML list -------------------------------------------------------------

def yaml_to_csl(reference):
    """A `references:` item ({id, title, author, publisher, year, url, note}) as a CSL item."""
    kind = "report" if reference.get("publisher") else ("webpage" if reference.get("url") else "document")
    item = {"id": reference["id"], "type": kind, "title": reference["title"]}
    if reference.get("author"):
        item["author"] = [{"literal": str(reference["author"])}]
    if reference.get("publisher"):
        item["publisher"] = str(reference["publisher"])
    year = reference.get("year")
    if year is not None:
        item["issued"] = {"date-parts": [[int(year)]]} if str(year).isdigit() else {"literal": str(year)}
    if reference.get("url"):
        item["URL"] = reference["url"]
    return item
