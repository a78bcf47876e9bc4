"""A Word (.docx), OpenDocument (.odt) or Markdown draft imported as a brief.

Pandoc reads the draft into its syntax tree (pandoc.py); the tree is mapped
onto the brief format (metadata.py, mapping.py, with clean.py for what
markdown can say and pictures.py for figures/), markdown is written back by
pandoc in one run, and the brief, its pictures and its bibliography are
written beside each other. What could not be carried over is listed in the
report (report.py; comments, changes and Word objects found by extras.py).
Nothing is written when the draft cannot be read or an output already exists
and may not be replaced."""

import json
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ...util import atomic, files
from . import extras, pandoc
from .citations import cited_works, rekeyed
from .clean import NOTE_MARK, XREF_MARK, Cleaner
from .edition import cross_reference_ids, reference_entries
from .mapping import Chunk, Mapper
from .metadata import core_properties, document_fields
from .pandoc import READERS, DraftRefused
from .pictures import Pictures
from .report import Report
from .styles import unstyled
from .tree import block_inlines, node, nodes_of, plain, stringify, words

MAX_DRAFT_BYTES = 50 * files.MB
ENGLISH_NAMES = {"key_points": ["Key points", "Key messages"], "summary": ["Summary", "Executive summary"],
                 "recommendations": ["Recommendations"],
                 "references": ["References", "Reference list", "Bibliography", "Works cited", "Sources"],
                 "contact": ["Contact"], "about": ["About %(organisation)s"], "appendix": ["Appendix %(letter)s"],
                 # labels the Word edition prints before a field's text
                 "prepared_for": ["Prepared for"], "who_should_act": ["Who should act:"]}
EMPTY_SECTION = "(This section has no text in the draft.)"
ORDER = ("title", "subtitle", "series", "number", "date", "status", "language", "url", "audience", "organisation", "authors",
         "keywords", "cover", "bibliography", "summary", "key_points", "sections", "recommendations", "references",
         "appendices", "about", "contact")

__all__ = ["DraftRefused", "Imported", "check_paths", "import_draft", "ENGLISH_NAMES", "READERS"]


@dataclass
class Imported:
    brief: Path
    files: list            # every file written, the brief last
    report: Report
    counts: dict = field(default_factory=dict)


def import_draft(source, target, names=None, force=False, today=None):
    """Read the draft, write the brief at target (and figures/, the bibliography beside it)."""
    source, target = Path(source), Path(target)
    check_paths(source, target, force)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="brief-import-") as media:
        tree, document = _read(source, media, report)
        brief, pictures, counts, bibliography = _map(source, target, (tree, document, media),
                                                     names or ENGLISH_NAMES, report, today or date.today())
        outputs = dict(pictures.planned)
        if bibliography:
            outputs[brief["bibliography"]] = json.dumps(bibliography, indent=2, ensure_ascii=False) + "\n"
        _check_outputs(target, outputs, force)
        written = _write(target, outputs, brief)
    counts.update(pictures=len(pictures.planned), references=len(bibliography))
    return Imported(target, written, report, counts)


def check_paths(source, target, force=False):
    """DraftRefused for a draft that is not there or not a draft, a target that
    is no brief's name, or one that exists (unless force)."""
    if source.suffix.lower() not in READERS:
        raise DraftRefused(f"{source}: not a .docx, .odt or .md file")
    try:
        files.regular_file(source, [source.resolve().parent], single_link=False)
    except files.FileRefused as error:
        raise DraftRefused(f"{source}: {error.reason}") from None
    if source.stat().st_size > MAX_DRAFT_BYTES:
        raise DraftRefused(f"{source}: over {files.megabytes(MAX_DRAFT_BYTES)}, the largest draft imported")
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise DraftRefused(f"{target}: the brief must be a .yaml file")
    if target.exists() and not force:
        raise DraftRefused(f"{target}: already exists (--force replaces it)")


def _check_outputs(target, outputs, force):
    for relative in outputs:
        path = target.parent / relative
        if path.exists() and not force:
            raise DraftRefused(f"{path}: already exists (--force replaces it)")


def _read(source, media, report):
    """(the tree to import, the python-docx Document or None). A .docx is read
    once with every change and comment marked, for the report, and, when it has
    any, again with the changes accepted."""
    try:
        if source.suffix.lower() != ".docx":
            return pandoc.read_tree(source, media), None
        marked = pandoc.read_tree(source, media, track_changes="all")
        tree = pandoc.read_tree(source, media) if extras.review_marks(marked, report) else marked
    except DraftRefused as error:
        raise DraftRefused(f"{source}: {error}") from None
    import docx   # python-docx: only for Word files
    from docx.opc.exceptions import PackageNotFoundError
    try:
        return tree, docx.Document(str(source))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise DraftRefused(f"{source}: not a Word document python-docx can open ({error})") from None


def _map(source, target, read, names, report, today):
    tree, document, media = read
    stem = target.name.rsplit(".", 1)[0]
    bibliography, keys = _bibliography(source, tree, document)
    entries = reference_entries(tree["blocks"])       # the Word edition's reference list
    pictures = Pictures(source, media, stem, report)
    cleaner = Cleaner(report, pictures, {**{key: key for key in entries}, **keys})
    core = core_properties(document)
    body, styled = unstyled(tree["blocks"], names)
    fields, blocks = document_fields(tree["meta"], core, body, source.stem, report, today)
    mapper = Mapper(cleaner, pictures, report, names, cross_reference_ids(tree), styled)
    mapped, sections, preamble = mapper.brief(blocks)
    brief = {**fields, **mapper.cover}
    if bibliography:
        brief["bibliography"] = f"{stem}.json"
    _place_preamble(brief, mapped, sections, preamble, tree["meta"], cleaner, mapper, report)
    brief.update(mapped)
    brief["sections"] = sections
    _fallback_fields(brief, report)
    if entries and any(True for _ in nodes_of([chunk.blocks for chunk in _chunks(brief)], "Cite")):
        brief["references"] = [{"id": key, "title": text} for key, text in entries.items()]
        report.add("under the references", f"{len(entries)} entries of the reference list",
                   "kept as references whose title is the printed entry (the Word file has not the entries' data)")
    _render(brief, cleaner, tree["pandoc-api-version"], mapper.ids)
    _fill_empty_sections(brief, report)
    if document is not None:
        extras.word_objects(document, words(_all_text(brief)), report)
    counts = {"sections": len(brief["sections"]), "tables": mapper.tables, "figures": mapper.figures}
    return {key: brief[key] for key in ORDER if key in brief}, pictures, counts, bibliography


def _bibliography(source, tree, document):
    """(CSL-JSON items, {the draft's citation id: the brief's}) when the draft cites."""
    if not any(True for _ in nodes_of(tree["blocks"], "Cite")):
        return [], {}
    works = cited_works(tree, document)
    if works is None:
        try:
            works = pandoc.bibliography(source)
        except DraftRefused as error:
            raise DraftRefused(f"{source}: {error}") from None
    return rekeyed(works)


def _place_preamble(brief, mapped, sections, preamble, meta, cleaner, mapper, report):
    """Text before the first heading: the summary when the draft has none;
    otherwise the start of the first section (or the one section)."""
    abstract = meta.get("abstract")
    if "summary" not in mapped and abstract is not None:
        mapped["summary"] = Chunk(cleaner.blocks(abstract["c"] if abstract["t"] == "MetaBlocks"
                                                 else [plain(abstract["c"])]))
    if not preamble:
        return
    if not sections:
        sections.append({"title": brief["title"], "content": mapper.content(preamble, None, None)})
        report.add("in the whole document", "no heading that starts a section",
                   f"the text is one section, titled '{brief['title']}'")
    elif "summary" not in mapped and all(block.get("t") not in ("Table", "Figure") for block in preamble):
        mapped["summary"] = Chunk(cleaner.blocks(preamble))
    else:
        report.add("before the first heading", "text that is not the summary",
                   f"kept at the start of the section '{sections[0]['title']}'")
        sections[0]["content"][:0] = mapper.content(preamble, None, None)


def _fallback_fields(brief, report):
    """A brief needs a summary, key points and a section: copied from the text, and said."""
    if "summary" not in brief:
        first = _first_paragraph(brief["sections"])
        brief["summary"] = Chunk([first]) if first else "-"
        report.add("in the whole document", "no 'Summary' section",
                   "the first paragraph is also the summary" if first else "the summary is '-'")
    if not brief["sections"]:
        brief["sections"] = [{"title": brief["title"], "content": [brief["summary"]]}]
        report.add("in the whole document", "no section apart from the summary",
                   f"the summary is also the one section, '{brief['title']}'")
    if "key_points" not in brief:
        first = _first_paragraph([{"content": [brief["summary"]]}])
        brief["key_points"] = [Chunk([plain(block_inlines(first))]) if first else "-"]
        report.add("in the whole document", "no 'Key points' section",
                   "the summary's first paragraph is the one key point" if first else "the one key point is '-'")


def _first_paragraph(sections):
    """The first paragraph with words (its pictures left out: they stay where they are)."""
    for section in sections:
        for block in section["content"]:
            for item in block.blocks if isinstance(block, Chunk) else ():
                inlines = [inline for inline in block_inlines(item) or () if inline.get("t") != "Image"]
                if stringify(inlines).strip():
                    return node("Para", inlines)
    return None


def _chunks(brief):
    chunks = []
    _collect(brief, chunks)
    return chunks


def _render(brief, cleaner, api_version, ids):
    """Every Chunk of the brief as markdown, the footnote marks as ^[...] and
    the cross-references as @fig-ID (or their words, when no figure or table
    has the id), in one pandoc run."""
    chunks = _chunks(brief)
    notes = [Chunk([plain(inlines)]) for inlines in cleaner.notes]
    texts = pandoc.to_markdown([chunk.blocks for chunk in chunks + notes], api_version)
    crossrefs = []
    for kind, name, text, where in cleaner.crossrefs:
        if (kind, name) not in ids:
            cleaner.report.add(where, f"a cross-reference '{text}' to '#{kind}-{name}', which nothing here has",
                               "kept as its words")
        crossrefs.append(f"@{kind}-{name}" if (kind, name) in ids else text)
    note_texts = [_with_marks(" ".join(text.split()), [], crossrefs) for text in texts[len(chunks):]]
    rendered = {id(chunk): _with_marks(text, note_texts, crossrefs) for chunk, text in zip(chunks, texts)}
    _replace(brief, rendered)


def _collect(value, chunks):
    if isinstance(value, Chunk):
        chunks.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, chunks)
    elif isinstance(value, list):
        for item in value:
            _collect(item, chunks)


def _replace(value, rendered):
    if isinstance(value, dict):
        for key, item in list(value.items()):
            value[key] = rendered[id(item)] if isinstance(item, Chunk) else _replace(item, rendered)
    elif isinstance(value, list):
        value[:] = [rendered[id(item)] if isinstance(item, Chunk) else _replace(item, rendered) for item in value]
    return value


def _with_marks(text, notes, crossrefs):
    for number, note in enumerate(notes):
        text = text.replace(NOTE_MARK.format(number), f"^[{note}]")
    for number, crossref in enumerate(crossrefs):
        text = text.replace(XREF_MARK.format(number), crossref)
    return text


def _fill_empty_sections(brief, report):
    """Markdown that came out empty is left out; a section left with nothing says so."""
    for section in brief["sections"]:
        section["content"] = [block for block in section["content"] if block != ""]
        if not section["content"]:
            section["content"] = [EMPTY_SECTION]
            report.add(f"under '{section['title']}'", "a heading with no text after it",
                       f"the section says '{EMPTY_SECTION}'")
    for key in ("summary",):
        if not brief.get(key):
            brief[key] = "-"
    brief["key_points"] = [point for point in brief["key_points"] if point] or ["-"]


def _all_text(value):
    if isinstance(value, str):
        return value + " "
    if isinstance(value, dict):
        return "".join(_all_text(item) for item in value.values())
    if isinstance(value, list):
        return "".join(_all_text(item) for item in value)
    return ""


def _write(target, outputs, brief):
    written = []
    for relative, content in outputs.items():
        path = target.parent / relative
        with atomic.atomic_file(path, "wb" if isinstance(content, bytes) else "w") as file:
            file.write(content)
        written.append(path)
    atomic.write_text(dump_brief(brief), target)
    return written + [target]


class _Dumper(yaml.SafeDumper):
    pass


def _string(dumper, text):
    style = "|" if "\n" in text and not any(line != line.rstrip() for line in text.split("\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _string)


def dump_brief(brief):
    return yaml.dump(brief, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)
