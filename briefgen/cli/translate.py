"""`brief translate export | import | status`: options only; the work is
briefgen.brief.translate's."""

import sys
from pathlib import Path

import click

from ..problems import BriefError, OutputError, shown


@click.group()
def translate():
    """Exchange a brief's text with translators (XLIFF 2.0 or PO, as CAT tools
    such as Trados, memoQ, Phrase, Weblate and OmegaT read them) and see where
    each edition stands.

    \b
    Examples:
        brief translate export briefs/north-korea-trafficking.yaml --to fr
        brief translate import briefs/north-korea-trafficking.fr.xlf
        brief translate status briefs/north-korea-trafficking.yaml
    """


@translate.command("export")
@click.argument("brief", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--to", "language", required=True, metavar="LANGUAGE", help="The edition's language (BCP 47: fr, pt-BR).")
@click.option("--po", is_flag=True, help="Write a PO file instead of XLIFF 2.0.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (default: beside the brief, NAME.LANGUAGE.xlf or .po).")
@click.option("--all", "everything", is_flag=True,
              help="Offer every unit, the translated ones with their translation (default: only new and changed units).")
def export_command(brief, language, po, output, everything):
    """Write the units of BRIEF that its LANGUAGE edition lacks, or whose English
    changed since they were translated, for a translator: one unit per text
    field and paragraph, with notes and protected placeholders for the markup."""
    from ..brief.translate import export   # PyYAML, translate-toolkit: only for this command
    try:
        written, count = export(brief, language, po, output, everything)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--to'") from None
    except BriefError as error:
        _fail(error.problems)
    except OutputError as error:
        _fail([error])
    units = f"{count} unit{'' if count == 1 else 's'}"
    click.echo(f"wrote {shown(written)}: {units}" + ("" if everything else " to translate"))


@translate.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--brief", "brief_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The original brief (default: the one the file names, beside it).")
def import_command(file, brief_file):
    """Write the translations of FILE (.xlf or .po) into the edition
    NAME.LANGUAGE.yaml, keeping the original's structure and what the file
    does not cover. A unit whose placeholders were broken is refused, and
    nothing is written."""
    from ..brief.translate import import_file
    try:
        done = import_file(file, brief_file)
    except BriefError as error:
        _fail(error.problems)
    except OutputError as error:
        _fail([error])
    for warning in done.warnings:
        click.echo(f"warning: {warning}", err=True)
    verb = "wrote" if done.written else "unchanged:"
    click.echo(f"{verb} {shown(done.edition)} ({done.taken} translated units in the file)")


@translate.command("status")
@click.argument("brief", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--short", is_flag=True, help="One line per edition, without the units.")
def status_command(brief, short):
    """For each edition of BRIEF (or the edition named), the share of units
    translated, stale (the English changed since) and missing, then those units."""
    from ..brief.translate import status, status_lines
    try:
        found = status(brief)
    except BriefError as error:
        _fail(error.problems)
    if not found:
        click.echo(f"{shown(brief)}: no edition in another language beside it")
    for line in status_lines(found, detail=not short):
        click.echo(line)


def _fail(problems):
    for problem in problems:
        click.echo(str(problem), err=True)
    sys.exit(1)
