"""The Word writer (`--format docx`): each variant as a DOCX file, from the
same composed HTML the PDF is laid out from, written by pandoc (the
pypandoc-binary wheel ships it) with a reference document made from the
theme's style tokens (styles.py), then given its core properties with
python-docx.

pandoc does what Word needs and what would be long to write by hand: real
headings (the navigation pane), real footnotes, tables whose header row
repeats on each page (w:tblHeader), pictures with their alt text
(wp:docPr descr), a table of contents field, Word's title block styles
(Title, Subtitle, Author, Date), the document's language (w:lang) and
right-to-left paragraphs (w:bidi); and pandoc's Word reader reads all of them
back, which `brief import` relies on.

A Word document reflows: the variants' page budgets do not apply, so there is
no fitting (the number of pages is Word's to decide, and 0 here).
"""

import json
import os
import subprocess
import tempfile
from datetime import datetime, time, timezone
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from ...problems import BriefError, Problem
from ...util.atomic import atomic_file
from .. import Written

EXTENSION = ".docx"
CONTENTS_FIELD = "word-contents-field"   # the class of the div where the table of contents field goes
MISSING = "the Word edition needs pypandoc-binary and python-docx: pip install 'policy-brief-generator[word]'"
TOC_DEPTH = 2        # sections and their subsections, as the printed contents list goes no deeper



def write(composed, target, options, after_layout):
    """Write the DOCX to target (atomically: a failed build leaves the last
    good file). after_layout is the PDF's check of a layout: Word lays out."""
    try:   # the word extra: imported here, so that a build without it never loads this writer's parts
        from .content import prepare
        from .finish import finished
        from .styles import reference_document, theme_styles
    except ImportError:
        raise BriefError([Problem(composed.shown_path, 1, "", MISSING)]) from None
    prepared = prepare(composed)
    metadata = prepared.metadata
    tokens, sizes, page = theme_styles(composed)
    reference = reference_document(_default_reference(), tokens, sizes, metadata.language)
    seconds = options.limits.seconds
    with tempfile.TemporaryDirectory(prefix="brief-docx-") as folder:
        reference_file, output = Path(folder) / "reference.docx", Path(folder) / "out.docx"
        reference_file.write_bytes(reference)
        tree, messages = _pandoc(["--from", "html", "--to", "json"], prepared.html, seconds, composed)
        tree = _with_metadata(_word_tree(json.loads(tree)), metadata)
        _, more = _pandoc(["--from", "json", "--to", "docx", "--reference-doc", str(reference_file),
                           "--output", str(output)], json.dumps(tree), seconds, composed, composed.date)
        document = finished(output.read_bytes(), metadata, composed.date, tokens, page)
    with atomic_file(target, "wb") as handle:
        document.save(handle)
    return Written(Path(target), pages=0, messages=messages + more, served=prepared.read)


@lru_cache(maxsize=1)
def _default_reference():
    """pandoc's own reference document, which the theme restyles."""
    return subprocess.run([_pandoc_path(), "--print-default-data-file", "reference.docx"],
                          capture_output=True, check=True, timeout=30).stdout


def _pandoc_path():
    import pypandoc   # finds the pandoc its wheel ships
    return pypandoc.get_pandoc_path()


def _pandoc(arguments, text, seconds, composed, date=None):
    """pandoc, sandboxed (it reads no file but those named here, and nothing
    from the network), within the build's time: (its output, its warnings)."""
    environment = dict(os.environ, LANG="C.UTF-8")
    if date:  # the file's dates are the brief's: the same brief gives the same file
        environment["SOURCE_DATE_EPOCH"] = str(int(datetime.combine(date, time(), timezone.utc).timestamp()))
    try:
        done = subprocess.run([_pandoc_path(), "--sandbox", *arguments], input=text.encode("utf-8"),
                              capture_output=True, timeout=seconds, env=environment)
    except subprocess.TimeoutExpired:
        raise BriefError([Problem(composed.shown_path, 1, "", f"Word edition: pandoc took over {seconds} s")]) \
            from None
    errors = done.stderr.decode("utf-8", "replace").strip().splitlines()
    if done.returncode:
        raise BriefError([Problem(composed.shown_path, 1, "", "Word edition: pandoc failed: "
                                  + (errors[-1] if errors else f"status {done.returncode}"))])
    return done.stdout.decode("utf-8"), [f"Word edition: {line}" for line in errors if line.strip()]


def _word_tree(node):
    """pandoc's reading of the HTML, made Word's: a footnote's span becomes a
    note, and headings go up a level (the title, the page's h1, is Word's Title;
    the sections' h2 are Heading 1)."""
    if isinstance(node, list):
        return [_word_tree(item) for item in node]
    if not isinstance(node, dict):
        return node
    kind, content = node.get("t"), node.get("c")
    if kind == "Span" and "footnote" in content[0][1]:
        return {"t": "Note", "c": [{"t": "Para", "c": _word_tree(content[1])}]}
    if kind == "Div" and CONTENTS_FIELD in content[0][1]:
        return {"t": "RawBlock", "c": ["openxml", _contents_field(dict(content[0][2]).get("title", ""))]}
    if kind == "Header":
        return {"t": "Header", "c": [max(1, content[0] - 1), content[1], _word_tree(content[2])]}
    return {key: _word_tree(value) for key, value in node.items()}


def _contents_field(title):
    """A table of contents field where the printed contents list was (pandoc's
    --toc would put it after the title block), as pandoc writes one: Word fills
    it in when it opens the file (w:dirty), and pandoc's reader knows it."""
    return ('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/>'
            '</w:docPartObj></w:sdtPr><w:sdtContent>'
            f'<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t xml:space="preserve">{escape(title)}</w:t>'
            '</w:r></w:p><w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/>'
            f'<w:instrText xml:space="preserve">TOC \\o "1-{TOC_DEPTH}" \\h \\z \\u</w:instrText>'
            '<w:fldChar w:fldCharType="separate"/><w:fldChar w:fldCharType="end"/></w:r></w:p>'
            '</w:sdtContent></w:sdt>')


def _with_metadata(tree, metadata):
    """The cover's fields as pandoc's metadata: its title block and core properties."""
    def text(value):
        return {"t": "MetaString", "c": value}

    def lines(parts):   # an author's name, role and affiliation, a line each
        inlines = [item for part in parts for item in ({"t": "LineBreak"}, {"t": "Str", "c": part})][1:]
        return {"t": "MetaInlines", "c": inlines}
    meta = {"title": text(metadata.title), "lang": text(metadata.language)}
    if metadata.subtitle:
        meta["subtitle"] = text(metadata.subtitle)
    if metadata.authors:
        meta["author"] = {"t": "MetaList", "c": [lines(parts) for parts in metadata.authors]}
    if metadata.date:
        meta["date"] = text(metadata.date)
    if metadata.rtl:
        meta["dir"] = text("rtl")
    tree["meta"] = meta
    return tree
