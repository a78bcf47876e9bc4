"""`brief import`: a Word, OpenDocument or Markdown draft made into a brief
(briefgen.inputs.word), with the headings that fill the brief's fields in
every language the theme's labels are translated into, then checked as
`brief check` checks it. A brief that does not pass is not left behind, and
an earlier file is replaced only with --force."""

import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ..compose.labels import translations
from ..inputs.word import ENGLISH_NAMES, DraftRefused, check_paths, import_draft
from ..problems import BriefError, Problem, shown
from ..theme.resolve import ThemeError, resolve_theme
from ..util import atomic
from .document import check_brief

# Each field of the brief and the labels (msgids of the theme's catalogues) that name it.
FIELD_LABELS = {"key_points": ["Key points"], "summary": ["Summary", "Executive summary"],
                "recommendations": ["Recommendations"], "references": ["References"], "contact": ["Contact"],
                "about": ["About %(organisation)s"], "prepared_for": ["Prepared for"],
                "who_should_act": ["Who should act:"], "appendix": ["Appendix %(letter)s"]}


@dataclass
class ImportDone:
    imported: object      # inputs.word.Imported
    warnings: list


def heading_names(theme=None, extra=()):
    """{field: headings that fill it}: English, each translation of the theme's
    labels, and extra (field, heading) pairs from the command line."""
    names = {field: list(found) for field, found in ENGLISH_NAMES.items()}
    try:
        folders = resolve_theme(theme, Path.cwd()).template_dirs
    except ThemeError:
        folders = ()
    for language in _languages(folders):
        labels = translations(folders, language)
        for field, msgids in FIELD_LABELS.items():
            names[field] += [labels.gettext(msgid) for msgid in msgids]
    for field, heading in extra:
        names.setdefault(field, []).append(heading)
    return {field: list(dict.fromkeys(found)) for field, found in names.items()}


def _languages(folders):
    return sorted({entry.name for folder in folders for entry in (Path(folder) / "locale").glob("*")
                   if (entry / "LC_MESSAGES").is_dir()})


def import_brief(source, target, names, force=False):
    """Import into a hidden folder beside the target, check the brief there,
    then put its files in place: DraftRefused for a draft that cannot be read
    or an output in the way (unless force), BriefError for a brief that does not
    pass the check. Either way no earlier file is touched."""
    source, target = Path(source), Path(target)
    check_paths(source, target, force)   # before the work; the pictures' places are checked after it
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=target.parent))
    try:
        imported = import_draft(source, staging / target.name, names, force=True)
        try:
            loaded = check_brief(imported.brief)
        except BriefError as error:   # its problems name the brief as it is to be written
            raise BriefError([replace(problem, file=shown(target)) for problem in error.problems]) from None
        finals = [target.parent / file.relative_to(staging) for file in imported.files]
        for final in finals:
            if final.exists() and not force:
                raise DraftRefused(f"{final}: already exists (--force replaces it)")
        for staged, final in zip(imported.files, finals):
            with atomic.atomic_file(final, "wb") as file:
                file.write(staged.read_bytes())
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    imported.brief, imported.files = target, finals
    return ImportDone(imported, [str(_as_written(warning, target)) for warning in loaded.warnings])


def _as_written(warning, target):
    """A warning of the check, naming the brief where it is written, not where it was checked."""
    return replace(warning, file=shown(target)) if isinstance(warning, Problem) else warning


__all__ = ["DraftRefused", "FIELD_LABELS", "ImportDone", "heading_names", "import_brief"]
