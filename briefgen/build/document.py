"""The build of one brief, as phases:

    1. load      read the brief's YAML, remembering each field's line (load)
    2. validate  check it against the format (validate)
    3. resolve   pick the theme (theme), then each variant's budget and content (variant)
    4. compose   render the variant's HTML with Jinja (compose)
    5. write     lay it out with WeasyPrint, again only to fit a page budget (fit),
                 check the pages and write the output with the format's writer
                 (write.py; writers/), here or in the layout process (layout_process.py)

One Options object travels from the command line to the worker that builds a
document and back; batch.py and watch.py call build_document() with it.
"""

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import writers
from ..content.access import heading_problems
from ..blocks import DrawContext, draw_blocks
from ..content.charts import CACHE, ChartError
from ..content.citations import DEFAULT_STYLE, Library
from ..util.bounds import too_big
from ..compose.html import compose_html
from ..content.crossref import resolve
from ..brief.editions import lacking, original_of
from ..inputs.load import load_brief
from ..compose.glyphs import theme_fonts
from .manifest import pdf_editions, pdf_files
from .options import Options
from .write import PageChecks, library_warnings, write_variant
from ..render.standards import is_archival
from ..util.atomic import write_text
from ..problems import BriefError, OutputError, Problem, shown
from ..inputs.sources import read_bibliographies
from ..theme.resolve import ThemeError, resolve_theme
from ..brief.validate import did_you_mean, referenced_files, validate_brief, variant_problems, walk
from ..brief.variant import longest_items, select_variant


@dataclass
class Prepared:
    """A brief loaded, validated and with its theme resolved: what every
    variant's build starts from, made once per brief."""
    loaded: object      # load.LoadedBrief
    data: dict          # the validated content
    theme: object       # theme.Theme
    library: Library = Library()   # its bibliography files' entries and citation style
    stem: str = None    # what its outputs are named after: the brief file's stem, or a series row's key


@dataclass
class Plan:
    """What a stale brief needs: its variants, the inputs to record once built,
    and the prepared brief, which travels to the workers with each task."""
    brief: Path
    variants: list
    inputs: list
    folders: list
    prepared: Prepared = None
    seconds_spent: float = 0.0       # planning it took: the first part of its --time-limit spent
    key: str = None                  # its manifest entry's (batch.py)


@dataclass
class Row:
    """One line of the closing table."""
    brief: str                       # the brief's name, as the table shows it
    variant: str
    status: str                      # built, up to date, failed
    source: str = ""                 # the brief's file
    pages: int = None
    seconds: float = 0.0
    output: str = ""                 # the output file, as the table shows it
    warnings: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    served: list = field(default_factory=list)   # files the layout read, as strings
    files: list = field(default_factory=list)    # every file the writer wrote, the output first, as strings


def prepare(brief_file, options):
    """Phases 1 to 3a, once per brief whatever the number of variants."""
    loaded = load_brief(brief_file, shown_path=shown(brief_file))           # 1
    with library_warnings(loaded):
        data = validate_brief(loaded)                                       # 2
        loaded.warnings += lacking(loaded)     # a translation: what the original has that it lacks
        theme = theme_for_brief(options.theme, data, loaded)                 # 3
        loaded.warnings += theme.brand.warnings   # a brand colour given a shade that passes
    _refuse_archiving_a_draft(loaded, data, options.standard)
    return Prepared(loaded, data, theme, bibliography(loaded, theme, options.csl))


def bibliography(loaded, theme, chosen_style=None):
    """The brief's bibliography files' entries and its citation style."""
    entries, _ = read_bibliographies(loaded)   # read once by validation: its problems are reported
    return Library(tuple(entries), loaded.path.parent, theme.brand.folder,
                   theme.brand.citation_style or DEFAULT_STYLE, chosen_style)


def _refuse_archiving_a_draft(loaded, data, standard):
    """PDF/A is for the archive: a brief whose status is not final is not archived."""
    if not is_archival(standard):
        return
    statuses = [(("status",), data.get("status"))] + [
        (("variants", name, "status"), fields.get("status")) for name, fields in data.get("variants", {}).items()]
    for path, status in statuses:
        if status in ("draft", "review"):
            raise BriefError([loaded.problem(path, f"a brief in {status} is not archived: PDF/A (--pdf-standard "
                                                   f"{standard}) needs 'status: final'")])


def build_brief(brief_file, options=Options(), prepared=None, layout=None):
    """Build one brief's outputs (one per variant, in options.format); raise BriefError when it cannot be built.
    layout: a LayoutProcess (layout_process.py) that lays out and writes; None: here."""
    prepared = prepared or prepare(brief_file, options)
    outputs, problems = [], []
    for variant in _variants(options.variants, prepared.theme, prepared.loaded, options.format):
        try:
            outputs.append(_build_variant(prepared, variant, options, layout))
        except BriefError as error:  # over budget: the other variants still build
            problems += error.problems
    if problems:
        raise BriefError(problems, outputs)
    return outputs


def _build_variant(prepared, variant, options, layout=None):
    loaded, data, theme = prepared.loaded, prepared.data, prepared.theme
    spec = theme.variant_spec(variant)                                      # 3
    brief = select_variant(data, variant, loaded.path.parent, theme.brand.brief_defaults())
    brief = _draw(brief, prepared, spec, options)                           # 4a
    writer = writers.writer(options.format)
    target = output_path(options.out_dir, prepared.stem or loaded.path.stem, variant, writer.EXTENSION, writer)
    composed = _compose(brief, spec, prepared, target, options, writer)  # 4
    checks = PageChecks(loaded, theme_fonts(theme), longest_items(data, spec))
    return (layout.write if layout else write_variant)(composed, target, options, checks)   # 5


def _draw(brief, prepared, spec, options):
    """Blocks that draw (charts) do it here, in the process that builds."""
    loaded, theme = prepared.loaded, prepared.theme
    context = DrawContext(loaded.path.parent, brief["language"], Path(options.out_dir) / CACHE,
                          theme.chart_theme(), spec.chart_size)
    try:
        return draw_blocks(brief, context)
    except ChartError as error:  # at the chart's specification, found by its caption
        found = [path for path, value in walk(loaded.data) if path[-1:] == ("chart",)
                 and isinstance(value, dict) and value.get("caption") == error.caption]
        if found:
            raise BriefError([loaded.problem(found[0] + ("spec",), str(error))]) from None
        raise BriefError([Problem(loaded.shown_path, 1, "", str(error))]) from None


def _compose(brief, spec, prepared, target, options, writer):
    loaded, theme = prepared.loaded, prepared.theme
    edition = getattr(writer, "EDITION", None)
    # A web page links to the PDF editions built beside it.
    editions = pdf_editions(options.out_dir, loaded.path.stem, theme.variants) if edition else ()
    # Every reference names a target of the brief (validation), so one the
    # variant left out was left out on purpose: its word alone, and no warning.
    html, _left_out = resolve(compose_html(brief, theme, spec, prepared.library, edition, editions))
    skipped = heading_problems(html)
    if skipped:  # templates, not the brief: a theme override skipped a level
        raise ThemeError(f"theme '{theme.name}', variant '{spec.name}': {skipped[0]}")
    if options.keep_html:  # before layout, so a failing layout can be inspected
        write_text(html, target.with_suffix(".html"))
    roots = (loaded.path.parent, *theme.folders, *theme.brand.font_dirs, Path(options.out_dir) / CACHE)
    return writers.Composed(html, spec.name, spec, loaded.path.parent, roots,
                            tuple(theme.stylesheet_files(spec.name)), loaded.shown_path, brief["date"])


def output_path(out_dir, stem, variant, extension, writer=None):
    """<out>/<brief>-<variant><extension>, or where the writer puts its output
    (its target(): the web page is <out>/<brief>/index.html), and never
    anywhere but the output folder."""
    target = writer.target(out_dir, stem, variant) if hasattr(writer, "target") \
        else Path(out_dir) / f"{stem}-{variant}{extension}"
    if Path(out_dir).resolve() not in target.resolve().parents:
        raise BriefError([Problem(str(target), 1, "", "refusing to write outside the output folder")])
    return target


def check_brief(brief_file):
    """Load, validate and compose every variant of the brief's theme, without
    layout or writing; raise BriefError listing every problem of the brief,
    ThemeError for one of the theme's templates."""
    prepared = prepare(brief_file, Options())
    loaded, data, theme = prepared.loaded, prepared.data, prepared.theme
    for variant in theme.variants:  # a hostile or broken template fails here, not at build time
        brief = select_variant(data, variant, loaded.path.parent, theme.brand.brief_defaults())
        compose_html(draw_blocks(brief, None), theme, theme.variant_spec(variant), prepared.library)
        for output_format in writers.FORMATS:   # and another edition's (the web page's) templates
            writer = writers.writer(output_format)
            if getattr(writer, "EDITION", None) and variant in getattr(writer, "VARIANTS", theme.variants):
                compose_html(draw_blocks(brief, None), theme, theme.variant_spec(variant), prepared.library,
                             writer.EDITION)
    return loaded


def plan_brief(brief_file, options):
    """What a batch needs before building a brief: its variants, and the files
    the build reads (for the manifest of incremental builds)."""
    prepared = prepare(brief_file, options)
    loaded, theme = prepared.loaded, prepared.theme
    theme_files = [file for folder in theme.folders for file in Path(folder).rglob("*") if file.is_file()]
    inputs = [loaded.path, *referenced_files(prepared.data, loaded.path.parent), *theme_files]
    if original_of(loaded.path):   # an edition's warnings say what it lacks of its original
        inputs.append(original_of(loaded.path))
    # A theme folder the project adds later changes the build too: the manifest lists those folders.
    folders = list(theme.folders + theme.missing_overrides)
    if getattr(writers.writer(options.format), "EDITION", None):  # a web page lists the PDFs beside it
        folders += [str(file.resolve()) for file in pdf_files(options.out_dir, loaded.path.stem, theme.variants)]
    return Plan(Path(brief_file), _variants(options.variants, theme, loaded, options.format), inputs, folders,
                prepared)


def build_document(brief, variant, options, layout=None):
    """One variant of one brief, as a row of the batch table (runs in a worker
    process). brief: a Plan (its prepared brief is used as it is) or a file."""
    start = time.perf_counter()
    brief_file, prepared = (brief.brief, brief.prepared) if isinstance(brief, Plan) else (brief, None)
    row = Row(Path(brief_file).stem, variant, "failed", str(brief_file))
    try:
        [output] = build_brief(brief_file, replace(options, variants=(variant,)), prepared, layout)
        row.status, row.pages, row.output = "built", output.pages, str(output.path)
        row.warnings, row.served = output.warnings, [str(path) for path in output.served]
        row.files = [str(path) for path in output.files]
    except BriefError as error:
        row.problems = [str(problem) for problem in error.problems]
    except (ThemeError, OutputError) as error:  # each names its file (and line) itself
        row.problems = [str(error)]
    except MemoryError:  # past --max-memory (bounds.memory_cap)
        row.problems = [str(too_big(shown(brief_file), options.limits.memory))]
    except OSError as error:  # a file the build reads: its path and the cause, as the system says it
        row.problems = [f"{error.filename or shown(brief_file)}: {(error.strerror or str(error)).lower()}"]
    except Exception as error:  # a bug of ours: one line, and the other documents still build
        row.problems = [f"{shown(brief_file)}:1: internal error, please report it: "
                        f"{type(error).__name__}: {error}"]
    row.seconds = time.perf_counter() - start
    return row


def theme_for_brief(requested, data, loaded):
    """--theme wins (relative to the working folder), then the brief's theme:
    (relative to the brief). The variant names the brief uses, and what each
    variant's content points to, are checked against the theme's variants."""
    try:
        if requested:
            theme = resolve_theme(requested, Path.cwd())
        else:  # A brief may travel: a theme folder it names must sit inside its own folder.
            theme = resolve_theme(data.get("theme"), loaded.path.parent, confine=True)
    except ThemeError as error:
        if error.problems:  # at the theme file's line, whichever way the theme was chosen
            raise BriefError(error.problems) from None
        if requested:
            raise
        raise BriefError([loaded.problem(("theme",), str(error))]) from None
    variant_problems(loaded, theme.name, theme.variants)
    return theme


def _variants(requested, theme, loaded, output_format="pdf"):
    """The variants asked for, or every variant of the theme; a writer that
    builds only some variants (the web edition: the full brief) builds those."""
    offered = getattr(writers.writer(output_format), "VARIANTS", theme.variants)
    unknown = [name for name in requested if name not in theme.variants]
    if unknown:
        raise BriefError([Problem(loaded.shown_path, 1, "", unknown_variant(unknown[0], theme))])
    other = [name for name in requested if name not in offered]
    if other:
        raise BriefError([Problem(loaded.shown_path, 1, "", f"the {output_format} format builds the "
                                  f"{', '.join(offered)} variant only, not '{other[0]}'")])
    return list(requested) or [name for name in theme.variants if name in offered]


def theme_of(brief_file, requested_theme):
    """The theme a brief is built with (--theme wins); None when the brief
    or its theme cannot be read (its build says why)."""
    try:
        if requested_theme:
            return resolve_theme(requested_theme, Path.cwd())
        loaded = load_brief(brief_file, shown_path=shown(brief_file))
        return resolve_theme(loaded.data.get("theme"), loaded.path.parent, confine=True)
    except (BriefError, ThemeError):
        return None


def unknown_variant(name, theme):
    offers = f"the theme '{theme.name}' offers: {', '.join(theme.variants)}"
    suggestion = did_you_mean(name, theme.variants)
    return f"unknown variant '{name}'{suggestion} {offers[0].upper()}{offers[1:]}" if suggestion \
        else f"unknown variant '{name}'; {offers}"


def _warning_text(warning):
    return f"{warning.category.__name__}: {warning.message}"
