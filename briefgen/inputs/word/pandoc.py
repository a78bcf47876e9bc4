"""Pandoc (the binary pypandoc-binary ships) reads the draft into its JSON
syntax tree and writes markdown back from pieces of it.

Pandoc runs sandboxed (it reads only the file named, never the network),
under a memory cap and a time limit; its refusals become DraftRefused."""

import json
import subprocess

import pypandoc

# docx: Zotero's and Mendeley's fields as citations; paragraph styles as Divs (styles.py reads them)
READERS = {".docx": "docx+citations+styles", ".odt": "odt", ".md": "markdown"}
TIME_LIMIT = 120    # seconds for one pandoc run
MEMORY = "1024m"    # pandoc's heap cap (its RTS option -M)

# The brief's markdown: CommonMark with inline notes ^[...], citations [@id] and
# [text]{lang=xx} spans. Everything else pandoc's markdown could write is off, so
# what pandoc cannot say in that dialect comes out as plain text, not as syntax
# our markdown would print literally.
WRITER = "markdown" + "".join(
    f"{sign}{name}" for sign, name in
    [("+", "inline_notes"), ("-", "smart"), ("-", "raw_html"), ("-", "native_divs"), ("-", "native_spans"),
     ("-", "fenced_divs"), ("-", "header_attributes"), ("-", "link_attributes"), ("-", "superscript"),
     ("-", "subscript"), ("-", "strikeout"), ("-", "tex_math_dollars"), ("-", "raw_attribute"),
     ("-", "pipe_tables"), ("-", "simple_tables"), ("-", "multiline_tables"), ("-", "grid_tables"),
     ("-", "definition_lists"), ("-", "example_lists"), ("-", "fancy_lists"), ("-", "yaml_metadata_block"),
     ("-", "fenced_code_attributes"), ("-", "implicit_figures"), ("-", "escaped_line_breaks")])
CHUNK = "<!-- briefgen chunk {} -->"


class DraftRefused(Exception):
    """The draft cannot be read; one line, completing '<file>: ...'."""


def read_tree(source, media_dir=None, track_changes="accept"):
    """The draft as pandoc's JSON tree (a dict with 'meta' and 'blocks');
    media_dir: where pandoc extracts the pictures (docx, odt)."""
    arguments = [f"--track-changes={track_changes}"] if source.suffix.lower() == ".docx" else []
    if media_dir is not None:
        arguments.append(f"--extract-media={media_dir}")
    text = _run(["-f", READERS[source.suffix.lower()], "-t", "json", *arguments, str(source)])
    return json.loads(text)


def bibliography(source):
    """The citations a Word draft stores (Zotero's, Mendeley's) as CSL-JSON items."""
    return json.loads(_run(["-f", READERS[".docx"], "-t", "csljson", str(source)]) or "[]")


def to_markdown(chunks, api_version):
    """Each chunk (a list of pandoc blocks) as markdown, in one pandoc run:
    the chunks go in separated by markers and come out split at them."""
    blocks = []
    for number, chunk in enumerate(chunks):
        blocks.append({"t": "RawBlock", "c": ["markdown", CHUNK.format(number)]})
        blocks.extend(chunk)
    tree = {"pandoc-api-version": api_version, "meta": {}, "blocks": blocks}
    text = _run(["-f", "json", "-t", WRITER, "--wrap=none", "--markdown-headings=atx"], json.dumps(tree))
    pieces = text.split(CHUNK.format(0), 1)[-1]
    found = []
    for number in range(1, len(chunks)):
        piece, pieces = pieces.split(CHUNK.format(number), 1)
        found.append(piece.strip())
    found.append(pieces.strip())
    return found if chunks else []


def _run(arguments, text=None):
    command = [pypandoc.get_pandoc_path(), "--sandbox", *arguments, "+RTS", f"-M{MEMORY}", "-RTS"]
    try:
        done = subprocess.run(command, input=text, capture_output=True, text=True, encoding="utf-8",
                              timeout=TIME_LIMIT, check=False)
    except subprocess.TimeoutExpired:
        raise DraftRefused(f"pandoc took over {TIME_LIMIT} s to read it") from None
    if done.returncode:
        message = (done.stderr.strip().splitlines() or ["pandoc could not read it"])[-1]
        raise DraftRefused(f"not a readable document ({message.strip()})")
    return done.stdout
