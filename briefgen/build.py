"""The build of one brief, as phases:

    1. load      read the brief's YAML, remembering each field's line (load)
    2. validate  check it against the format (validate)
    3. resolve   pick the theme (theme), then each variant's budget and content (variant)
    4. compose   render the variant's HTML with Jinja (compose)
    5. write     lay it out with WeasyPrint, again only to fit a page budget (fit),
                 and write the PDF atomically (pdf)

One Options object travels from the command line to the worker that builds a
document and back; batch.py and watch.py call build_document() with it.
"""

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .access import heading_problems
from .bounds import too_big
from .compose import compose_html
from .fit import fit_to_budget
from .load import load_brief
from .pdf import (DEFAULT_STANDARD, Limits, displaced_footnotes, layout, missing_characters, write_pdf,
                  write_text)
from .problems import BriefError, Problem, field_name
from .theme import ThemeError, resolve_theme
from .validate import referenced_files, validate_brief
from .variant import longest_items, select_variant


@dataclass(frozen=True)
class Options:
    """Everything a build is asked for besides the brief itself."""
    variants: tuple = ()              # empty: every variant of the theme
    theme: str = None                 # --theme, relative to the working folder
    out_dir: Path = Path("out")
    keep_html: bool = False
    allow_overflow: bool = False
    limits: Limits = Limits()
    standard: str = DEFAULT_STANDARD


@dataclass
class Output:
    variant: str
    pdf: Path
    pages: int
    layouts: int = 1
    warnings: list = field(default_factory=list)


@dataclass
class Plan:
    """What a stale brief needs: its variants, and the inputs to record once built."""
    brief: Path
    variants: list
    inputs: list
    folders: list


@dataclass
class Row:
    """One line of the closing table."""
    brief: str                       # the brief's name, as the table shows it
    variant: str
    status: str                      # built, up to date, failed
    source: str = ""                 # the brief's file
    pages: int = None
    seconds: float = 0.0
    pdf: str = ""
    warnings: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def build_brief(brief_file, options=Options()):
    """Build one brief's PDFs; raise BriefError when it cannot be built."""
    loaded = load_brief(brief_file, shown_path=shown(brief_file))           # 1
    data = validate_brief(loaded)                                           # 2
    theme = _resolve_theme(options.theme, data, loaded)                     # 3
    outputs, problems = [], []
    for variant in _variants(options.variants, theme, loaded):
        try:
            outputs.append(_build_variant(loaded, data, theme, variant, options))
        except BriefError as error:  # over budget: the other variants still build
            problems += error.problems
    if problems:
        raise BriefError(problems, outputs)
    return outputs


def _build_variant(loaded, data, theme, variant, options):
    spec = theme.variant_spec(variant)                                      # 3
    brief = select_variant(data, variant, loaded.path.parent, theme.brand.brief_defaults())
    target = output_path(options.out_dir, loaded.path.stem, variant)

    def render(step):
        html = compose_html(brief, theme, spec, step)                       # 4
        skipped = heading_problems(html)
        if skipped:  # templates, not the brief: a theme override skipped a level
            raise ThemeError(f"theme '{theme.name}', variant '{variant}': {skipped[0]}")
        if options.keep_html:  # before layout, so a failing layout can be inspected
            write_text(html, target.with_suffix(".html"))
        return layout(html, loaded.path.parent, loaded.shown_path,           # 5
                      theme.folders, options.limits, options.standard)

    fitted = fit_to_budget(render, spec)
    laid_out = fitted.result
    warnings = [str(warning) for warning in loaded.warnings] + [   # each names the brief's file
        f"{loaded.shown_path}: {message}" for message in laid_out.messages + _layout_warnings(laid_out.document, theme)]
    if fitted.lines_over:
        problem = _overflow_problem(loaded, data, spec, fitted.lines_over)
        if not options.allow_overflow:
            raise BriefError([problem])
        warnings.append(f"{problem} (written anyway: --allow-overflow)")
    write_pdf(laid_out, target, brief["date"])
    return Output(variant, target, len(laid_out.document.pages), fitted.layouts, warnings)


def output_path(out_dir, stem, variant):
    """<out>/<brief>-<variant>.pdf, and never anywhere but the output folder."""
    target = Path(out_dir) / f"{stem}-{variant}.pdf"
    if target.resolve().parent != Path(out_dir).resolve():
        raise BriefError([Problem(str(target), 1, "", "refusing to write outside the output folder")])
    return target


def _overflow_problem(loaded, data, spec, lines):
    """'summary: 11 lines over one page; longest items: key_points[3], ...' at the longest item's line."""
    longest = longest_items(data, spec)
    pages = {1: "one page", 2: "two pages", 3: "three pages"}.get(spec.pages, f"{spec.pages} pages")
    message = f"{lines} line{'s' if lines > 1 else ''} over {pages}"
    if longest:
        message += "; longest items: " + ", ".join(field_name(path) for path in longest)
    return Problem(loaded.shown_path, loaded.line_of(longest[0]) if longest else 1, spec.name, message)


def _layout_warnings(document, theme):
    return [f"character {c!r} (U+{ord(c):04X}) is not in the theme's fonts; a fallback font is used"
            for c in missing_characters(document, theme.font_files())] + [
            f"footnote {number} is printed on page {note_page}, its call on page {call_page}"
            for number, call_page, note_page in displaced_footnotes(document)]


def check_brief(brief_file):
    """Load and validate only; raise BriefError listing every problem."""
    loaded = load_brief(brief_file, shown_path=shown(brief_file))
    data = validate_brief(loaded)
    _resolve_theme(None, data, loaded)
    return loaded


def plan_brief(brief_file, options):
    """What a batch needs before building a brief: its variants, and the files
    the build reads (for the manifest of incremental builds)."""
    loaded = load_brief(brief_file, shown_path=shown(brief_file))
    data = validate_brief(loaded)
    theme = _resolve_theme(options.theme, data, loaded)
    theme_files = [file for folder in theme.folders for file in Path(folder).rglob("*") if file.is_file()]
    inputs = [loaded.path, *referenced_files(data, loaded.path.parent), *theme_files]
    return Plan(Path(brief_file), _variants(options.variants, theme, loaded), inputs, list(theme.folders))


def build_document(brief_file, variant, options):
    """One variant of one brief, as a row of the batch table (runs in a worker process)."""
    start = time.perf_counter()
    row = Row(Path(brief_file).stem, variant, "failed", str(brief_file))
    try:
        [output] = build_brief(brief_file, replace(options, variants=(variant,)))
        row.status, row.pages, row.pdf = "built", output.pages, str(output.pdf)
        row.warnings = output.warnings
    except BriefError as error:
        row.problems = [str(problem) for problem in error.problems]
    except ThemeError as error:  # names the theme's file and line itself
        row.problems = [str(error)]
    except MemoryError:  # past --max-memory (bounds.memory_cap)
        row.problems = [str(too_big(shown(brief_file), options.limits.memory))]
    except Exception as error:  # a bug of ours: one line, and the other documents still build
        row.problems = [f"{shown(brief_file)}:1: internal error, please report it: "
                        f"{type(error).__name__}: {error}"]
    row.seconds = time.perf_counter() - start
    return row


def _resolve_theme(requested, data, loaded):
    """--theme wins (relative to the working folder), then the brief's theme: (relative to the brief)."""
    try:
        if requested:
            return resolve_theme(requested, Path.cwd())
        # A brief may travel: a theme folder it names must sit inside its own folder.
        return resolve_theme(data.get("theme"), loaded.path.parent, confine=True)
    except ThemeError as error:
        if requested:
            raise
        raise BriefError([loaded.problem(("theme",), str(error))]) from None


def _variants(requested, theme, loaded):
    unknown = [name for name in requested if name not in theme.variants]
    if unknown:
        raise BriefError([Problem(loaded.shown_path, 1, "", f"unknown variant '{unknown[0]}'; "
                                  f"the theme '{theme.name}' offers: {', '.join(theme.variants)}")])
    return list(requested) or theme.variants


def shown(path):
    """A path as messages show it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
