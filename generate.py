#!/usr/bin/env python3
"""Policy brief generator: YAML content + Jinja templates + CSS -> print-ready PDFs.

The pipeline, one phase per module of the briefgen package:

    1. load      read the brief's YAML, remembering each field's line
    2. validate  check it against the format (schema, ids, citations, files)
    3. resolve   pick the theme (theme), then each variant's budget and content (variant)
    4. compose   render the variant's HTML with Jinja
    5. lay out   WeasyPrint lays it out, again only to fit a page budget (fit),
                 and the PDF is written atomically (pdf)
"""

import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from briefgen import __version__
from briefgen.access import heading_problems
from briefgen.batch import Options, Plan, Row, build_all, print_table, timed
from briefgen.compose import compose_html
from briefgen.fit import fit_to_budget
from briefgen.load import load_brief
from briefgen.pdf import (DEFAULT_STANDARD, PDF_STANDARDS, Limits, displaced_footnotes, layout,
                          missing_characters, write_pdf, write_text)
from briefgen.problems import BriefError, Problem, field_name
from briefgen.scaffold import new_theme
from briefgen.theme import PROJECT, ThemeError, resolve_theme
from briefgen.validate import referenced_files, validate_brief
from briefgen.variant import longest_items, select_variant
from briefgen.watch import watch_brief

SAMPLE_BRIEFS_DIR = PROJECT / "briefs"


@dataclass
class Output:
    variant: str
    pdf: Path
    pages: int
    layouts: int = 1
    warnings: list = field(default_factory=list)


def build_brief(brief_file, variants=(), theme=None, out_dir="out", keep_html=False, allow_overflow=False,
                limits=Limits(), standard=DEFAULT_STANDARD):
    """Build one brief's PDFs; raise BriefError when it cannot be built."""
    options = Options(variants, theme, Path(out_dir), keep_html, allow_overflow, limits, standard)
    loaded = load_brief(brief_file, shown_path=_shown(brief_file))           # 1
    data = validate_brief(loaded)                                            # 2
    chosen = _resolve_theme(theme, data, loaded)                             # 3
    outputs, problems = [], []
    for variant in _variants(variants, chosen, loaded):
        try:
            outputs.append(_build_variant(loaded, data, chosen, variant, options))
        except BriefError as error:  # over budget: the other variants still build
            problems += error.problems
    if problems:
        raise BriefError(problems, outputs)
    return outputs


def _build_variant(loaded, data, theme, variant, options):
    spec = theme.variant_spec(variant)                                       # 3
    brief = select_variant(data, variant, loaded.path.parent, theme.brand.brief_defaults())
    target = _output_path(options.out_dir, loaded.path.stem, variant)

    def render(step):
        html = compose_html(brief, theme, spec, step)                        # 4
        skipped = heading_problems(html)
        if skipped:  # templates, not the brief: a theme override skipped a level
            raise ThemeError(f"theme '{theme.name}', variant '{variant}': {skipped[0]}")
        if options.keep_html:  # before layout, so a failing layout can be inspected
            write_text(html, target.with_suffix(".html"))
        return layout(html, loaded.path.parent, loaded.shown_path,               # 5
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


def _output_path(out_dir, stem, variant):
    """<out>/<brief>-<variant>.pdf, and never anywhere but the output folder."""
    target = out_dir / f"{stem}-{variant}.pdf"
    if target.resolve().parent != out_dir.resolve():
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
    loaded = load_brief(brief_file, shown_path=_shown(brief_file))
    data = validate_brief(loaded)
    _resolve_theme(None, data, loaded)
    return loaded


def plan_brief(brief_file, options):
    """What a batch needs before building a brief: its variants, and the files
    the build reads (for the manifest of incremental builds)."""
    loaded = load_brief(brief_file, shown_path=_shown(brief_file))
    data = validate_brief(loaded)
    theme = _resolve_theme(options.theme, data, loaded)
    theme_files = [file for folder in theme.folders for file in Path(folder).rglob("*") if file.is_file()]
    inputs = [loaded.path, *referenced_files(data, loaded.path.parent), *theme_files]
    return Plan(Path(brief_file), _variants(options.variants, theme, loaded), inputs, list(theme.folders))


def build_document(brief_file, variant, options):
    """One variant of one brief, as a row of the batch table (runs in a worker process)."""
    def build():
        row = Row(Path(brief_file).stem, variant, "failed", str(brief_file))
        try:
            [output] = build_brief(brief_file, [variant], options.theme, options.out_dir, options.keep_html,
                                   options.allow_overflow, options.limits, options.standard)
            row.status, row.pages, row.pdf = "built", output.pages, str(output.pdf)
            row.warnings = output.warnings
        except BriefError as error:
            row.problems = [str(problem) for problem in error.problems]
        except ThemeError as error:  # names the theme's file and line itself
            row.problems = [str(error)]
        except Exception as error:  # a bug of ours: one line, and the other documents still build
            row.problems = [f"{_shown(brief_file)}:1: internal error, please report it: "
                            f"{type(error).__name__}: {error}"]
        return row
    return timed(build)


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


def _shown(path):
    """A path as messages show it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _sample_briefs():
    return sorted(SAMPLE_BRIEFS_DIR.glob("*.yaml"))


# --- command line ------------------------------------------------------------

VARIANTS_OPTION = click.option("--variant", "-v", "variants", multiple=True, metavar="NAME",
                               help="Variant to build (repeatable); default: every variant of the theme.")
THEME_OPTION = click.option("--theme", "-t", metavar="NAME|PATH",
                            help="Theme name or folder; wins over the brief's theme:.")
OUT_OPTION = click.option("--out", "-o", "out_dir", default="out", show_default=True,
                          type=click.Path(file_okay=False, path_type=Path), help="Folder for the PDFs.")
JOBS_OPTION = click.option("--jobs", "-j", default=os.cpu_count() or 1, show_default="the number of cores",
                           type=click.IntRange(1), help="Worker processes building documents side by side.")

@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brief")
@click.pass_context
def cli(context):
    """Turn policy briefs written in YAML into print-ready PDFs.

    With no command, builds every brief in briefs/ into out/.

    \b
    Examples:
        brief build briefs/north-korea-trafficking.yaml
        brief check briefs/*.yaml
    """
    if context.invoked_subcommand is None:
        context.invoke(build)


@cli.command()
@click.argument("briefs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@VARIANTS_OPTION
@THEME_OPTION
@OUT_OPTION
@click.option("--html", "keep_html", is_flag=True, help="Also write the composed HTML beside each PDF.")
@click.option("--allow-overflow", is_flag=True,
              help="Write a variant that stays over its page budget anyway, with a warning.")
@click.option("--time-limit", default=Limits.seconds, show_default=True, type=click.IntRange(1),
              metavar="SECONDS", help="Stop a layout that takes longer.")
@click.option("--max-pages", default=Limits.pages, show_default=True, type=click.IntRange(1),
              help="Refuse a layout with more pages.")
@JOBS_OPTION
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option("--pdf-standard", "standard", default=DEFAULT_STANDARD, show_default=True,
              type=click.Choice(list(PDF_STANDARDS)),
              help="Accessible PDF/UA-1, or a PDF/A level for archives; always tagged.")
def build(briefs, variants, theme, out_dir, keep_html, allow_overflow, time_limit, max_pages, jobs, force, standard):
    """Build PDFs from briefs (default: every brief in briefs/).

    Each output is named after the brief's file and the variant, e.g.
    out/north-korea-trafficking-full.pdf. A brief whose inputs have not
    changed since its PDFs were built is skipped (see --force).

    \b
    Examples:
        brief build
        brief build briefs/north-korea-trafficking.yaml --variant full --html
        brief build my-brief.yaml --theme ./our-theme --out pdfs
        brief build briefs/*.yaml --jobs 2 --force
        brief build briefs/north-korea-trafficking.yaml --pdf-standard a-3b
    """
    if theme:
        try:
            resolve_theme(theme, Path.cwd())
        except ThemeError as error:
            raise click.ClickException(str(error)) from None
    options = Options(variants, theme, out_dir, keep_html, allow_overflow, Limits(time_limit, max_pages), standard)
    rows = build_all(list(briefs) or _sample_briefs(), options, jobs, force, plan_brief, build_document)
    # A brief's own warnings come with each of its variants: say each once.
    for warning in dict.fromkeys(warning for row in rows for warning in row.warnings):
        click.echo(f"warning: {warning}", err=True)
    for problem in dict.fromkeys(problem for row in rows for problem in row.problems):
        click.echo(problem, err=True)
    print_table(rows)
    if any(row.status == "failed" for row in rows):
        sys.exit(1)


@cli.command()
@click.argument("brief", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@VARIANTS_OPTION
@THEME_OPTION
@OUT_OPTION
@JOBS_OPTION
def watch(brief, variants, theme, out_dir, jobs):
    """Rebuild a brief's PDFs whenever the brief, its images or the theme change.

    Prints how long each rebuild took. An edit that breaks the brief prints
    its problems and keeps the last good PDFs.

    \b
    Example:
        brief watch briefs/north-korea-trafficking.yaml --variant summary
    """
    options = Options(variants, theme, out_dir, limits=Limits())
    # A terminated watch shuts its worker processes down too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        watch_brief(brief, options, jobs, plan_brief, build_document)
    except KeyboardInterrupt:
        pass


@cli.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def check(briefs):
    """Validate briefs without rendering; list every problem, one per line.

    \b
    Example:
        brief check briefs/north-korea-trafficking.yaml
    """
    failed = False
    for brief_file in briefs:
        try:
            loaded = check_brief(brief_file)
            for warning in loaded.warnings:
                click.echo(f"warning: {warning}", err=True)
            click.echo(f"{_shown(brief_file)}: ok")
        except BriefError as error:
            failed = True
            _report(error.problems)
    if failed:
        sys.exit(1)


@cli.command("new-theme")
@click.argument("name_or_path")
def new_theme_command(name_or_path):
    """Create a theme to restyle briefs: a brand file to fill in, empty
    override folders and one commented example override.

    A plain NAME creates templates/NAME and styles/NAME in this project; a
    path creates a folder holding templates/ and styles/, to use anywhere
    with --theme PATH or `theme:` in a brief.

    \b
    Examples:
        brief new-theme ../acme-theme
        brief build briefs/north-korea-trafficking.yaml --theme ../acme-theme
    """
    try:
        templates, styles = new_theme(name_or_path)
    except (ThemeError, OSError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {templates} and {styles}.")
    click.echo(f"Fill in {styles / '_brand.yml'}, then build with --theme {name_or_path}.")


def _report(problems):
    for problem in problems:
        click.echo(str(problem), err=True)


def main():
    cli(prog_name="brief")


if __name__ == "__main__":
    main()
