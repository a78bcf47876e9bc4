"""The command line: click options, then one call into the package per command.

`brief` (and `python generate.py`) run main(). The build itself is
briefgen.build.document (load -> validate -> resolve theme and variant ->
compose -> write); nothing here builds, checks or writes on its own.

Each command imports the code it runs when it runs: a build of one document
starts its layout process (build/layout_process.py) before the composing
code is imported, so that the two imports happen side by side.
"""

import gc
import json
import os
import re
import sys
import time
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import click

from .. import __version__
from ..build.layout_process import LayoutProcess
from ..build.options import Options
from ..problems import BriefError, OutputError, ThemeError, one_line, shown
from ..render.layout import Limits
from ..render.cmyk import DEFAULT_PROFILE, load_profile
from ..render.standards import STANDARDS, StandardsConflict, is_print
from ..render.standards import combine as combine_standards
from ..util import bounds, parallel, project
from ..util.scratch import scratch_folder
from ..writers import FORMATS
from .translate import translate


# --- command line ------------------------------------------------------------

CSL_OPTION = click.option("--csl", "styles", multiple=True, metavar="NAME|PATH",
                          help="Citation style over the brief's: a bundled style's name or a .csl file. "
                               "Repeat to build each style into OUT/<style>/.")
VARIANTS_OPTION = click.option("--variant", "-v", "variants", multiple=True, metavar="NAME",
                               help="Variant to build (repeatable); default: every variant of the theme.")
THEME_OPTION = click.option("--theme", "-t", metavar="NAME|PATH",
                            help="Theme name or folder; wins over the brief's theme:.")
OUT_OPTION = click.option("--out", "-o", "out_dir", default="out", show_default=True,
                          type=click.Path(file_okay=False, path_type=Path), help="Folder for the outputs.")


class Formats(click.Choice):
    """The registered output writers, read when the option is parsed (a
    writer registered after this module was imported is offered too)."""
    def __init__(self):
        super().__init__(())

    @property
    def choices(self):
        return tuple(FORMATS)

    @choices.setter
    def choices(self, value):
        pass


FORMAT_OPTION = click.option("--format", "output_format", default="pdf", show_default=True, type=Formats(),
                             help="What each variant is written as.")
FORMATS_OPTION = click.option("--format", "output_formats", multiple=True, default=("pdf",), show_default=True,
                              type=Formats(), metavar="FORMAT",
                              help="What each variant is written as (repeatable: --format pdf --format web); "
                                   "a web page always comes with the PDFs it links.")
TIME_LIMIT_OPTION = click.option("--time-limit", default=Limits.seconds, show_default=True, type=click.IntRange(1),
                                 metavar="SECONDS", help="Stop the work on a brief that takes longer: loading it and "
                                 "all its variants together (a batch's waiting for a worker not counted).")
JOBS_OPTION = click.option("--jobs", "-j", default=os.cpu_count() or 1, show_default="the number of cores",
                           type=click.IntRange(1), help="Worker processes building documents side by side.")


class MemorySize(click.ParamType):
    """1.5G, 800M or a number of bytes -> bytes."""
    name = "SIZE"

    def convert(self, value, param, context):
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*", str(value), re.I)
        if not match or float(match.group(1)) <= 0:
            self.fail(f"{value!r} is not a size such as 1.5G or 800M", param, context)
        return int(float(match.group(1)) * 1024 ** " KMG".index(match.group(2).upper() or " "))


class BriefGroup(click.Group):
    """`brief X.yaml ...` (so `python generate.py X.yaml`) is `brief build X.yaml ...`,
    and so are options with no command (`brief --variant memo`)."""

    def parse_args(self, context, args):
        first = args[0] if args else ""
        is_brief = first.endswith((".yaml", ".yml")) or Path(first).is_file()
        is_option = first.startswith("-") and first not in ("-h", "--help", "--version")
        if first not in self.commands and (is_brief or is_option):
            args = ["build", *args]
        return super().parse_args(context, args)


@click.group(cls=BriefGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brief")
@click.pass_context
def cli(context):
    """Turn policy briefs written in YAML into print-ready PDFs.

    With no command, builds every brief in briefs/ into out/; `brief FILE.yaml`
    is `brief build FILE.yaml`.

    \b
    Examples:
        brief build briefs/north-korea-trafficking.yaml
        brief check briefs/*.yaml
    """
    context.with_resource(scratch_folder())   # removed when the command ends (util/scratch.py)
    if context.invoked_subcommand is None:
        context.invoke(build)


@cli.command()
@click.argument("briefs", nargs=-1, type=click.Path(path_type=Path))
@VARIANTS_OPTION
@THEME_OPTION
@OUT_OPTION
@FORMATS_OPTION
@click.option("--html", "keep_html", is_flag=True, help="Also write the composed HTML beside each output.")
@click.option("--allow-overflow", is_flag=True,
              help="Write a variant that stays over its page budget anyway, with a warning.")
@click.option("--allow-missing-glyphs", is_flag=True,
              help="Build even when no font of the theme draws some characters, with one warning.")
@TIME_LIMIT_OPTION
@click.option("--max-memory", default="1.5G", show_default=True, type=MemorySize(),
              help="Stop the build of a document that needs more memory (e.g. 800M, 2G).")
@click.option("--max-pages", default=Limits.pages, show_default=True, type=click.IntRange(1),
              help="Refuse a layout with more pages.")
@JOBS_OPTION
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option("--pdf-standard", "standards", multiple=True, type=click.Choice(list(STANDARDS)),
              help="What the PDFs claim (default ua-1, accessible); repeat to combine where the standards "
                   "allow: ua-1 with a PDF/A-2 or -3 level, ua-2 with a-4; x-4 (print, CMYK) alone. Always tagged.")
@click.option("--cmyk-profile", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.icc",
              help="The print shop's CMYK ICC profile for --pdf-standard x-4 "
                   f"(default: {DEFAULT_PROFILE}, a SWOP-like coated press).")
@CSL_OPTION
@click.option("--cluster", envvar="BRIEF_CLUSTER", metavar="tcp://HOST:PORT",
              help="Build series on this Dask scheduler (default: $BRIEF_CLUSTER; unset: on this machine).")
def build(briefs, variants, theme, out_dir, output_formats, keep_html, allow_overflow, allow_missing_glyphs,
          time_limit, max_memory, max_pages, jobs, force, standards, cmyk_profile, styles, cluster):
    """Build PDFs from briefs, or from every brief in a folder (default:
    briefs/ in the working folder).

    Each output is named after the brief's file and the variant, e.g.
    out/north-korea-trafficking-full.pdf. A brief whose inputs have not
    changed since its PDFs were built is skipped (see --force).

    --format web writes the brief's web page, with the PDFs it links
    (built first, in the same run); --format repeats to write several.

    A series file (top-level `series:` and `brief:`) builds one brief per
    row of its data into out/<series>/<key>-<variant>.pdf, with an
    index.csv; --cluster sends its rows to a Dask scheduler.

    \b
    Examples:
        brief build
        brief build briefs/
        brief build briefs/north-korea-trafficking.yaml --variant full --html
        brief build briefs/north-korea-trafficking.yaml --format pdf --format web
        brief build my-brief.yaml --theme ./our-theme --out pdfs
        brief build briefs/*.yaml --jobs 2 --force
        brief build briefs/north-korea-trafficking.yaml --pdf-standard a-3b
        brief build briefs/north-korea-trafficking.yaml --csl apa --csl chicago-note
        brief build briefs/north-korea-trafficking.yaml --pdf-standard ua-1 --pdf-standard a-2a
        brief build briefs/north-korea-trafficking.yaml --pdf-standard x-4 --cmyk-profile ISOcoated_v2.icc
        brief build briefs/overseas-labour.yaml --cluster tcp://scheduler:8786
    """
    try:
        standard = combine_standards(standards)
    except StandardsConflict as error:
        raise _usage_error(str(error)) from None
    cmyk_profile = _print_profile(standard, cmyk_profile)
    try:
        brief_files = project.briefs_to_build(briefs)
    except project.NoBriefs as error:
        raise _usage_error(str(error)) from None
    # Forked before the imports below: see _layout_process.
    with _layout_process(brief_files, variants, output_formats, styles, cluster, jobs) as layout:
        from ..build.batch import Stopped, print_table
        from ..build.formats import build_formats
        if theme:
            _check_theme(theme)
        _check_variants(brief_files, theme, variants)
        started = time.perf_counter()
        options = Options(tuple(variants), theme, out_dir, keep_html, allow_overflow,
                          Limits(time_limit, max_pages, max_memory), standard,
                          allow_missing_glyphs=allow_missing_glyphs, cmyk_profile=cmyk_profile)
        stopped, rows = None, []
        try:
            for styled in _with_styles(options, styles):
                rows += build_formats(brief_files, styled, output_formats, jobs, force, cluster, layout)
                layout = None   # one document per layout process
        except Stopped as stop:  # SIGINT, SIGTERM, SIGHUP: the table of what was done, then the signal's status
            stopped, rows = stop, stop.rows
        # A brief's own warnings come with each of its variants: say each once.
        for warning in dict.fromkeys(warning for row in rows for warning in row.warnings):
            click.echo(f"warning: {warning}", err=True)
        for problem in dict.fromkeys(problem for row in rows for problem in row.problems):
            click.echo(problem, err=True)
        print_table(rows, time.perf_counter() - started)
        if stopped:
            click.echo(f"brief: stopped by {stopped}", err=True)
            sys.exit(stopped.exit_status)
        if any(row.status == "failed" for row in rows):
            sys.exit(1)


def _layout_process(brief_files, variants, output_formats, styles, cluster, jobs):
    """The layout process of a build of one document (one brief, one variant,
    a PDF) with a core to spare, forked now: before the composing code is
    imported. None otherwise (documents are laid out where they are built)."""
    one_document = (len(brief_files) == 1 and len(variants) == 1 and set(output_formats) == {"pdf"}
                    and len(styles) <= 1 and not cluster)
    if one_document and parallel.spare_cores(1, jobs) and parallel.can_fork():
        return LayoutProcess().start()
    return nullcontext()


@cli.command()
@click.argument("brief", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@VARIANTS_OPTION
@THEME_OPTION
@OUT_OPTION
@FORMAT_OPTION
@JOBS_OPTION
@click.option("--csl", "style", metavar="NAME|PATH",
              help="Citation style over the brief's: a bundled style's name or a .csl file.")
def watch(brief, variants, theme, out_dir, output_format, jobs, style):
    """Rebuild a brief's PDFs whenever the brief, its images or the theme change.

    Prints how long each rebuild took. An edit that breaks the brief prints
    its problems and keeps the last good PDFs.

    \b
    Example:
        brief watch briefs/north-korea-trafficking.yaml --variant summary
    """
    from ..build.batch import Stopped
    from ..build.series import is_series
    if is_series(brief):
        raise _usage_error(f"{shown(brief)} is a series: build it with `brief build {shown(brief)}`; "
                           "watch takes one brief")
    if theme:
        _check_theme(theme)
    _check_variants([brief], theme, variants)
    from ..build.watch import watch_brief  # watchfiles: only for this command
    options = Options(tuple(variants), theme, out_dir, format=output_format, csl=_style_file(style))
    try:
        watch_brief(brief, options, jobs)
    except Stopped as stop:  # its workers are stopped, its temporary files removed
        sys.exit(stop.exit_status)


@cli.command()
@click.argument("brief", required=False, type=click.Path(exists=True, path_type=Path))
@THEME_OPTION
@OUT_OPTION
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to serve on, at 127.0.0.1 (0: any free port).")
@JOBS_OPTION
def serve(brief, theme, out_dir, port, jobs):
    """Preview briefs in a browser: build each brief's web edition and PDFs,
    serve the output folder at http://127.0.0.1:PORT/, rebuild on save and
    reload the open page. An edit that breaks a brief shows its problems on
    the page and keeps the last good build.

    BRIEF is a brief or a folder of briefs (default: briefs/).

    \b
    Example:
        brief serve briefs/north-korea-trafficking.yaml --port 8080
    """
    if theme:
        _check_theme(theme)
    try:
        brief_files = project.briefs_to_build([brief] if brief else [])
    except project.NoBriefs as error:
        raise _usage_error(str(error)) from None
    from ..build.serve import serve as serve_briefs  # Starlette and uvicorn: only for this command
    try:
        serve_briefs(brief_files, Options(theme=theme, out_dir=out_dir), jobs, port=port)
    except OSError as error:  # the port is taken
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise click.ClickException(f"cannot serve on 127.0.0.1:{port}: {reason.lower()}") from None


@cli.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@TIME_LIMIT_OPTION
def check(briefs, time_limit):
    """Validate briefs without rendering; list every problem, one per line.
    A PDF file is checked for what PDF/UA asks of it (the structure tree,
    language, title, alt text, table headers, headings, untagged content):
    at least every rule the outside checker pdfua checks.

    \b
    Examples:
        brief check briefs/north-korea-trafficking.yaml
        brief check out/north-korea-trafficking-full.pdf
    """
    from ..build.document import check_brief
    from ..build.series import check_series, is_series
    failed = False
    for brief_file in briefs:
        if brief_file.suffix.lower() == ".pdf":
            failed = _check_pdf(brief_file) or failed
            continue
        if is_series(brief_file):
            problems, warnings = check_series(brief_file, Options())
            for warning in warnings:
                click.echo(f"warning: {warning}", err=True)
            _report(problems)
            failed = failed or bool(problems)
            if not problems:
                click.echo(f"{shown(brief_file)}: ok")
            continue
        try:
            with bounds.in_process(Limits(time_limit), shown(brief_file)):   # a theme's loop is bounded here too
                loaded = check_brief(brief_file)
            for warning in loaded.warnings:
                click.echo(f"warning: {warning}", err=True)
            click.echo(f"{shown(brief_file)}: ok")
        except BriefError as error:
            failed = True
            _report(error.problems)
        except ThemeError as error:  # names the theme's file and line itself
            failed = True
            click.echo(str(error), err=True)
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("old")
@click.argument("new")
@OUT_OPTION
@THEME_OPTION
@click.option("--check", is_flag=True,
              help="Compare only: exit 0 when the content is the same, 1 when it differs; the summary on stdout.")
@click.option("--format", "diff_format", type=click.Choice(["pdf", "text"]), default="pdf", show_default=True,
              help="pdf: the changes document (PDF and web page); text: a word-level diff on stdout.")
@TIME_LIMIT_OPTION
def diff(old, new, out_dir, theme, check, diff_format, time_limit):
    """Show what changed between two versions of a brief, for review and
    clearance: OLD and NEW are each a brief file or a git revision of it
    (REV, with the other side's file, or REV:path).

    Writes out/<brief>-changes.pdf and -changes.html: the full brief as the
    new version lays it out, inserted and deleted words marked, after a page
    that summarises the changes and each variant's page budget.

    \b
    Examples:
        brief diff HEAD~1 briefs/north-korea-trafficking.yaml
        brief diff v1.yaml v2.yaml --out review
        brief diff --check main:briefs/x.yaml briefs/x.yaml
        brief diff --format text v1.yaml v2.yaml
    """
    from ..review import review  # diff-match-patch: only for this command
    from ..review.report import summary_lines, text_diff
    if theme:
        _check_theme(theme)
    options = Options(theme=theme, out_dir=out_dir, limits=Limits(time_limit))
    write = not check and diff_format == "pdf"
    try:
        with bounds.in_process(Limits(time_limit), new):
            done = review(old, new, options, write=write)
    except BriefError as error:
        _report(error.problems)
        sys.exit(2)
    except (ThemeError, OutputError) as error:   # each names its file (and line) itself
        click.echo(str(error), err=True)
        sys.exit(2)
    except OSError as error:
        click.echo(f"{error.filename or new}: {(error.strerror or str(error)).lower()}", err=True)
        sys.exit(2)
    labels = (done.old.label, done.new.label)
    if diff_format == "text":
        click.echo("\n".join(text_diff(done.changes, *labels)))
    else:
        click.echo("\n".join(summary_lines(done.changes, *labels)))
    for file in done.files:
        click.echo(f"wrote {shown(file)}", err=True)
    if check or diff_format == "text":
        sys.exit(0 if done.changes.none else 1)


class HeadingName(click.ParamType):
    """FIELD=HEADING, FIELD one of the brief's fields a draft's section can fill."""
    name = "FIELD=HEADING"

    def convert(self, value, param, context):
        field, _, heading = str(value).partition("=")
        fields = ("key_points", "summary", "recommendations", "references")
        if field.strip() not in fields or not heading.strip():
            self.fail(f"{value!r} is not FIELD=HEADING with FIELD one of {', '.join(fields)}", param, context)
        return field.strip(), heading.strip()


@cli.command("import")
@click.argument("draft", type=click.Path(path_type=Path))
@click.option("--output", "-o", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The brief to write (.yaml); its pictures go to figures/ beside it.")
@click.option("--heading", "headings", multiple=True, type=HeadingName(),
              help="A heading that fills a field of the brief, over the labels' names (repeatable): "
                   "--heading key_points='Main messages'.")
@click.option("--force", is_flag=True, help="Replace the brief and its pictures if they exist.")
@click.option("--theme", "-t", metavar="NAME|PATH", help="Theme whose labels' translations name the headings "
              "(default: the default theme's).")
def import_command(draft, target, headings, force, theme):
    """Make a brief from a Word (.docx), OpenDocument (.odt) or Markdown draft.

    Title, subtitle, authors and date come from the document's properties or
    first lines; headings become sections; sections named "Key points",
    "Summary" or "Executive summary", "Recommendations" (in any language the
    theme's labels are in) fill those fields. Pictures go to figures/, Zotero
    and Mendeley citations to a CSL-JSON bibliography beside the brief. What
    could not be carried over is listed at the end, with where it was.

    \b
    Examples:
        brief import draft.docx -o briefs/heat.yaml
        brief import draft.docx -o briefs/heat.yaml --heading key_points="Main messages" --force
    """
    try:   # the word extra (pandoc, python-docx): only for this command
        from ..build.importing import DraftRefused, heading_names, import_brief
    except ImportError:
        raise click.ClickException("brief import needs pypandoc-binary and python-docx: "
                                   "pip install 'policy-brief-generator[word]'") from None
    if theme:   # its labels name the headings: a theme that is not there is said, not ignored
        _check_theme(theme)
    try:
        done = import_brief(draft, target, heading_names(theme, headings), force=force)
    except DraftRefused as error:
        raise click.ClickException(str(error)) from None
    except BriefError as error:
        click.echo(f"{draft}: the imported brief does not pass the check:", err=True)
        _report(error.problems)
        sys.exit(1)
    except (ThemeError, OutputError) as error:
        raise click.ClickException(str(error)) from None
    imported = done.imported
    counts = ", ".join(f"{number} {name}" for name, number in imported.counts.items())
    click.echo(f"wrote {shown(imported.brief)} ({counts})")
    items = imported.report.lines()
    click.echo(f"Not carried over as it was ({len(items)}):" if items else "Everything was carried over.")
    for line in items:
        click.echo(f"  {line}")
    for warning in done.warnings:   # what the check of the new brief warns of, as every build will
        click.echo(f"warning: {warning}", err=True)


@cli.command("new-theme")
@click.argument("name_or_path")
def new_theme_command(name_or_path):
    """Create a theme to restyle briefs: a brand file to fill in, empty
    override folders and one commented example override.

    A plain NAME creates templates/NAME and styles/NAME in the working
    folder; a path creates a folder holding templates/ and styles/, to use anywhere
    with --theme PATH or `theme:` in a brief.

    \b
    Examples:
        brief new-theme ../acme-theme
        brief build briefs/north-korea-trafficking.yaml --theme ../acme-theme
    """
    from ..build.scaffold import new_theme
    try:
        templates, styles = new_theme(name_or_path)
    except (ThemeError, OSError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {templates} and {styles}.")
    click.echo(f"Fill in {styles / '_brand.yml'}, then build with --theme {name_or_path}.")


@cli.command()
def schema():
    """Print the brief format's JSON Schema, with every registered block type.

    Point an editor's YAML language server at the file to get completion and
    checks while writing a brief.

    \b
    Example:
        brief schema > brief.schema.json
    """
    from ..brief.validate import schema as brief_schema
    click.echo(json.dumps(brief_schema(), indent=2, ensure_ascii=False))


@cli.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def init_command(folder):
    """Start a project folder: briefs/ with a starter brief, a theme to fill
    in (templates/house, styles/house) and a README. Never overwrites a file.

    \b
    Examples:
        brief init briefs-2026 && cd briefs-2026 && brief build
    """
    from ..build.scaffold import init_project
    try:
        created = init_project(folder)
    except OSError as error:
        raise click.ClickException(str(error)) from None
    for path in created:
        click.echo(f"Created {path}")
    next_step = "brief build" if folder == Path(".") else f"cd {folder} && brief build"
    click.echo(f"Now build the starter brief: {next_step}")


@cli.group()
def fonts():
    """A theme's web fonts (a brand file's `source: google` or `source: bunny`):
    fetched once, then every build uses the files offline.

    \b
    Example:
        brief fonts fetch ../acme-theme
    """


@fonts.command("fetch")
@click.argument("theme", required=False)
def fonts_fetch(theme):
    """Download the files of the brand's google and bunny fonts into the
    theme's fonts/ folder, recording their SHA-256 in fonts/web-fonts.json.
    Builds never reach the network: they use these files, and stop until
    they are fetched. THEME: a theme's name or folder (default: default).

    Whole TrueType files are fetched, one per weight and style the brand
    asks for (brand.yml: no `weight` is 100 to 900, no `style` normal and
    italic); what the service does not offer is skipped and said.
    For tests and mirrors, BRIEF_GOOGLE_FONTS_URL and BRIEF_BUNNY_FONTS_URL
    give the services' addresses.

    \b
    Example:
        brief fonts fetch ../acme-theme
    """
    from ..theme.brand import BrandError, web_font_requests
    from ..theme.resolve import brand_folder
    from ..theme.webfonts import FetchError, fetch_fonts
    try:
        folder = brand_folder(theme, Path.cwd())
        requests = web_font_requests(folder)
    except ThemeError as error:
        raise click.ClickException(str(error)) from None
    except BrandError as error:
        _report(error.problems)
        sys.exit(1)
    if not requests:
        click.echo(f"{folder / '_brand.yml'} names no google or bunny font: nothing to fetch.")
        return
    try:
        record = fetch_fonts(requests, folder / "fonts", click.echo)
    except (FetchError, OutputError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Recorded in {record}; builds use these files, offline.")


@cli.command("themes")
def themes_command():
    """List the themes the working folder can use, and where each comes from:
    this folder's templates/ and styles/ (looked up first), or built in.

    \b
    Example:
        brief themes
    """
    from ..theme.resolve import theme_sources
    for name, sources in theme_sources().items():
        own = [f"{folder.parent.name}/{name}/" for origin, folder in sources if origin == "project"]
        where = f"this folder: {', '.join(own)}" if own else "built-in"
        if own and any(origin == "built-in" for origin, _ in sources):
            where += " (over the built-in theme)"
        click.echo(f"{name:<12} {where}")


cli.add_command(translate)


def _with_styles(options, styles):
    """One build's options per --csl style: with several, each into its own
    folder named after the style (out/apa/, out/chicago-note/)."""
    from ..content.citations import style_label
    if len(styles) <= 1:
        return [replace(options, csl=_style_file(styles[0] if styles else None))]
    return [replace(options, csl=_style_file(style), out_dir=Path(options.out_dir) / style_label(style))
            for style in dict.fromkeys(styles)]


def _check_pdf(pdf_file):
    """PDF/UA's machine-checkable rules on a PDF file: True when it fails."""
    from pikepdf import PdfError
    from ..render.pdf_check import structure_problems   # pikepdf: only for this command
    try:
        problems = structure_problems(pdf_file)
    except OSError as error:
        problems = [f"cannot be read: {error.strerror}"]
    except PdfError as error:
        problems = [f"not a PDF that can be read ({error})"]
    for problem in problems:
        click.echo(one_line(f"{shown(pdf_file)}: {problem}"), err=True)
    if not problems:
        click.echo(f"{shown(pdf_file)}: ok (PDF/UA structure)")
    return bool(problems)


def _print_profile(standard, cmyk_profile):
    """The CMYK profile a PDF/X build converts to, checked before anything is built."""
    if not is_print(standard):
        if cmyk_profile:
            raise _usage_error("--cmyk-profile: only PDF/X-4 converts to CMYK; add --pdf-standard x-4")
        return None
    try:
        return load_profile(cmyk_profile).path.resolve()
    except BriefError as error:
        raise _usage_error(str(error.problems[0])) from None


def _style_file(style):
    from ..content.citations import chosen_style
    try:
        return style and chosen_style(style)
    except ValueError as error:
        raise _usage_error(str(error)) from None


def _usage_error(message):
    """A one-line error with the usage-error exit code (2), without click's usage lines."""
    error = click.ClickException(message)
    error.exit_code = 2
    return error


def _check_theme(theme):
    """--theme's problems, in the same form as a brief's theme: gets them."""
    from ..theme.resolve import resolve_theme
    try:
        resolve_theme(theme, Path.cwd())
    except ThemeError as error:
        _report(error.problems or [f"--theme: {error}"])
        sys.exit(1)


def _check_variants(briefs, theme, variants):
    """A --variant that no brief's theme offers is a usage error (exit 2), said
    before anything is built."""
    if not variants:
        return
    from ..build.document import theme_of, unknown_variant
    themes = [found for found in (theme_of(brief, theme) for brief in briefs) if found]
    for name in variants:
        if themes and not any(name in found.variants for found in themes):
            raise click.BadParameter(unknown_variant(name, themes[0]), param_hint="'--variant'")


def _report(problems):
    for problem in problems:
        click.echo(str(problem), err=True)


def main():
    # What the imports made lives as long as the process: out of the garbage
    # collector's sight (gc.freeze), its full collections during a layout cost
    # a one-document build 0.1 s less, and forked workers share those pages
    # instead of copying them when a collection would touch them.
    gc.freeze()
    cli(prog_name="brief")

