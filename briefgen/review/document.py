"""The changes document: `<out>/<brief>-changes.pdf` and `-changes.html`.

The merged brief (compare.py) is composed like the full brief, through the
theme's own templates: `changes/full.html` (print) and `changes/web/full.html`
(web) extend the full brief's templates with the summary page and the
sections' change notes, and the stylesheet `changes.css` comes after
`full.css` (or `web.css`). The composed HTML holds the change marks of
words.py; here they become `<ins class="change">` and `<del class="change">`
elements, each closed at the end of its text and opened again after markup,
so the elements nest. Inside attributes and the document's title the new
version's words are kept.
"""

import re
from dataclasses import dataclass, replace
from pathlib import Path

from .. import writers
from ..content.access import heading_problems
from ..blocks import DrawContext, draw_blocks
from ..build.document import build_brief, output_path
from ..content.charts import CACHE
from ..compose.html import compose_html
from ..render.content_check import lost_content
from ..content.crossref import resolve
from ..problems import BriefError
from ..theme.resolve import ThemeError
from ..writers import web
from .words import DEL_END, DEL_START, INS_END, INS_START, MARKS

NAME = "changes"               # <brief>-changes.pdf, the variant name outputs are named after
PRINT_EDITION = "changes"      # templates/<theme>/changes/full.html
WEB_EDITION = "changes/web"    # templates/<theme>/changes/web/full.html
TAG = re.compile(r"(<[^>]*>)")
RAW_TEXT = re.compile(r"<(title|style|script)\b", re.I)
MARK = re.compile(f"([{MARKS}])")
OLD_WORDS = re.compile(f"{DEL_START}[^{DEL_END}]*(?:{DEL_END}|$)")


@dataclass
class Fill:
    """How a version of a variant fills its pages."""
    pages: int
    last_page: int            # percent of the last page's height the content takes
    type_size: float = None   # the body size the fit steps used, when smaller than designed
    lines_over: int = 0


@dataclass
class Budget:
    variant: str
    limit: int                # pages
    old: Fill = None          # None: not laid out
    new: Fill = None
    verdict: str = ""         # over, closer, further, same


def drawn(side, options):
    """The side's full brief with its charts drawn (in this process: see charts.py)."""
    theme = side.prepared.theme
    spec = theme.variant_spec("full")
    context = DrawContext(side.folder, side.prepared.data.get("language", "en"), Path(options.out_dir) / CACHE,
                          theme.chart_theme(), spec.chart_size)
    return draw_blocks(side.full_brief(), context)


def write_changes(merged, summary, old_side, new_side, options):
    """Write the PDF and the web page; returns their paths."""
    theme, prepared = new_side.prepared.theme, new_side.prepared
    spec = theme.variant_spec("full")
    brief = {**merged, "changes": summary}
    stem = prepared.loaded.path.stem
    roots = (new_side.folder, old_side.folder, *theme.folders, *theme.brand.font_dirs, Path(options.out_dir) / CACHE)

    def composed(edition, stylesheets):
        html, _ = resolve(compose_html(brief, theme, spec, prepared.library, edition, (), stylesheets))
        skipped = heading_problems(html)
        if skipped:
            raise ThemeError(f"theme '{theme.name}', changes document: {skipped[0]}")
        return writers.Composed(marked(html, summary), NAME, spec, new_side.folder, roots,
                                tuple(theme.stylesheet_files("full")), prepared.loaded.shown_path, brief["date"])

    pdf_target = output_path(options.out_dir, stem, NAME, ".pdf")
    print_document = composed(PRINT_EDITION, ("full", NAME))

    def after_layout(document, lines_over):
        return lost_content(print_document.html, document, prepared.loaded), []

    writers.writer("pdf").write(print_document, pdf_target, options, after_layout)
    web_target = output_path(options.out_dir, stem, NAME, ".html")
    web.write(composed(WEB_EDITION, ("web", NAME)), web_target, options, None, assets=f"{stem}-{NAME}_files")
    return [pdf_target, web_target]


# --- the marks as elements ----------------------------------------------------

def marked(html, summary=None):
    """The composed HTML with its change marks as ins/del elements; the list
    entries of added and changed references marked as well."""
    parts, out, state, raw = TAG.split(html), [], None, None
    for index, part in enumerate(parts):
        if index % 2:   # a tag: its attributes give the new version
            out.append(_new_words(part))
            opened = RAW_TEXT.match(part)
            raw = opened.group(1).lower() if opened else (None if raw and part.lower() == f"</{raw}>" else raw)
        elif raw:
            out.append(_new_words(part))
        else:
            text, state = _marked_text(part, state)
            out.append(text)
    html = "".join(out)
    if summary:
        html = _marked_references(html, summary)
    return html


def _new_words(text):
    return re.sub(f"[{MARKS}]", "", OLD_WORDS.sub("", text))


def _marked_text(text, state):
    """One text between tags: (its HTML, the change it ends inside: 'ins', 'del' or None)."""
    out, continued = [], True
    for piece in MARK.split(text):
        if piece in (INS_START, DEL_START):
            state, continued = ("ins" if piece == INS_START else "del"), False
        elif piece in (INS_END, DEL_END):
            state = None
        elif piece:
            if state and piece.strip():
                kind = "change-continued" if continued else "change"
                out.append(f'<{state} class="{kind}">{piece}</{state}>')
                continued = True
            else:
                out.append(piece)
    return "".join(out), state


def _marked_references(html, summary):
    for kind, entries in (("added", summary["references_added"]), ("changed", summary["references_changed"])):
        for id_, _ in entries:
            html = re.sub(rf'<li id="reference-{re.escape(id_)}">(.*?)</li>',
                          lambda m: f'<li id="reference-{id_}" class="reference-{kind}">'
                                    f'<ins class="change">{m.group(1)}</ins></li>', html, count=1, flags=re.S)
    return html


# --- page budgets ---------------------------------------------------------------

def budgets(old_side, new_side, options, scratch):
    """How each variant with a page budget fills it, before and now."""
    theme = new_side.prepared.theme
    names = [name for name in theme.variants if theme.variant_spec(name).pages]
    if not names:
        return []
    before = _layouts(old_side, names, options, scratch / "old-budgets")
    now = _layouts(new_side, names, options, scratch / "new-budgets")
    return [_budget(name, theme.variant_spec(name), before.get(name), now.get(name)) for name in names]


def _layouts(side, names, options, folder):
    build_options = replace(options, variants=tuple(names), out_dir=folder, allow_overflow=True, keep_html=False)
    try:
        outputs = build_brief(side.file, build_options, side.prepared)
    except BriefError as error:   # a variant that cannot be laid out: the others still count
        outputs = error.outputs
    return {output.variant: output for output in outputs}


def _budget(name, spec, old, new):
    budget = Budget(name, spec.pages, _fill(old, spec), _fill(new, spec))
    if new is None:
        return budget
    old_load, new_load = _load(old, spec), _load(new, spec)
    if new.lines_over:
        budget.verdict = "over"
    elif old_load is None or abs(new_load - old_load) < 0.005:
        budget.verdict = "same"
    else:
        budget.verdict = "closer" if new_load > old_load else "further"
    return budget


def _load(output, spec):
    """How much of the budget the content takes: pages filled, and more when its type had to shrink."""
    if output is None:
        return None
    body = output.step.body_size if output.step else spec.body_size
    filled = output.pages - 1 + (output.last_page_used or 1)
    return filled / spec.pages * (spec.body_size / body) ** 2 + output.lines_over


def _fill(output, spec):
    if output is None:
        return None
    shrunk = output.step.body_size if output.step and output.step.body_size != spec.body_size else None
    return Fill(output.pages, round(100 * (output.last_page_used or 0)), shrunk, output.lines_over)
