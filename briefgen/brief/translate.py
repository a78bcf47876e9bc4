"""The translators' round trip: `brief translate export`, `import` and `status`.

export: the units of a brief (units.py) that an edition lacks or whose English
changed since they were translated, as an XLIFF 2.0 or PO file (exchange.py).
import: the translated units written into the edition `<stem>.<language>.yaml`,
which keeps the original's structure and whatever the file does not cover,
and records the hash of the English each unit was translated from under
`translation: units:` (so a later change of the English shows as stale).
"""

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..inputs.load import load_brief
from ..inputs.tabular import TableError, read_table
from ..problems import BriefError, Problem, shown
from ..util.atomic import write_text
from ..util.files import FileRefused, read_bytes
from .editions import EDITION, original_of
from .exchange import (BrokenPlaceholder, Offer, numbered_like, placeholder_problem, po_text, read_po, read_xliff,
                       write_po, write_xliff)
from .markup import codes, parse, to_markdown
from .units import edition_text, joined, pieces, recorded, source_hash, source_units, unit_status, value_at

MAX_EXCHANGE_BYTES = 32 * 2**20
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass
class Status:
    """Where an edition stands against its original."""
    file: Path
    language: str
    units: list                         # (unit, 'translated' | 'stale' | 'missing')
    tracked: bool = True                # it records source hashes (`translation:`)

    def count(self, state):
        return sum(1 for _, found in self.units if found == state)

    def share(self, state):
        return self.count(state) / len(self.units) if self.units else 1.0

    @property
    def complete(self):
        return self.count("translated") == len(self.units)


@dataclass
class Imported:
    edition: Path
    written: bool                       # False: the edition already said all of it
    taken: int                          # units taken from the file
    warnings: list = field(default_factory=list)


def edition_path(brief_file, language):
    brief_file = Path(brief_file)
    return brief_file.with_name(f"{brief_file.stem}.{language}{brief_file.suffix}")


def _source(brief_file):
    """The original's loaded brief and its units; BriefError for an edition or a broken file."""
    brief_file = Path(brief_file)
    if original_of(brief_file) is not None:
        original = original_of(brief_file)
        raise BriefError([Problem(shown(brief_file), 1, "", f"this is an edition of {original.name}: "
                                                            f"export the original, {shown(original)}")])
    loaded = load_brief(brief_file, shown_path=shown(brief_file))
    if "series" in loaded.data and "brief" in loaded.data:
        raise BriefError([Problem(shown(brief_file), 1, "", "a series file is not translated by "
                                                            "`brief translate`; translate a brief")])
    return loaded, source_units(loaded.data, brief_file.parent)


def _edition_data(file):
    return load_brief(file, shown_path=shown(file)).data if Path(file).is_file() else None


# --- export -----------------------------------------------------------------

def export(brief_file, language, po=False, output=None, everything=False):
    """Write the exchange file; (its path, the number of units it offers)."""
    if not LANGUAGE.fullmatch(language):
        raise ValueError(f"--to {language!r} is not a language tag such as 'fr' or 'pt-BR'")
    loaded, units = _source(brief_file)
    edition = _edition_data(edition_path(brief_file, language))
    offers = [offer for offer in (_offer(unit, edition, everything) for unit in units) if offer]
    source_language = str(loaded.data.get("language", "en"))
    writer = write_po if po else write_xliff
    data = writer(offers, source_language, language, Path(brief_file).name)
    output = Path(output) if output else Path(brief_file).with_name(
        f"{Path(brief_file).stem}.{language}.{'po' if po else 'xlf'}")
    write_text(data.decode("utf-8"), output)
    return output, len(offers)


def _offer(unit, edition, everything):
    """The unit as the file offers it; None when the edition has it translated (unless everything)."""
    state = unit_status(unit, edition) if edition else "missing"
    if state == "translated" and not everything:
        return None
    source = parse(unit.text)
    offer = Offer(unit.id, source, unit.note)
    text = edition_text(edition, unit) if edition else None
    adopted = state == "missing" and text is not None and text != unit.text and unit.id not in recorded(edition)
    if state in ("translated", "stale") or adopted:   # a hand translation without a record is offered as done
        offer.target = numbered_like(parse(text), source)
        offer.final = state != "stale"
    return offer


# --- import -----------------------------------------------------------------

def import_file(exchange_file, brief_file=None):
    """Write the translations of an exchange file into its edition; BriefError
    naming each unit whose placeholders the translator broke (nothing written then)."""
    exchange_file = Path(exchange_file)
    name = shown(exchange_file)
    try:
        data = read_bytes(exchange_file, exchange_file.resolve().parent, MAX_EXCHANGE_BYTES, name=name,
                          what="translation files")
    except FileRefused as error:
        raise BriefError([Problem(name, 1, "", "file not found" if error.kind == "missing" else str(error))]) from None
    is_po = exchange_file.suffix.lower() in (".po", ".pot")
    source_units_by_id = {}

    def source_codes_of(unit_id, msgid):   # PO keeps no copy of the markup: the English's, if unchanged
        unit = source_units_by_id.get(unit_id)
        if unit is None or po_text(parse(unit.text)) != msgid:
            return None
        return unit.text, {code.id: code for code in codes(parse(unit.text))}

    try:
        if is_po:
            language, original, received = _read_po_lazily(data, source_codes_of, exchange_file, brief_file,
                                                           source_units_by_id)
        else:
            language, original, received = read_xliff(data)
    except BrokenPlaceholder as error:
        raise BriefError([Problem(name, 1, "", str(error))]) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BriefError([Problem(name, 1, "", f"cannot read this {'PO' if is_po else 'XLIFF 2'} file: {error}")]) \
            from None
    brief_file = _brief_of(exchange_file, brief_file, original, name)
    if not language or not LANGUAGE.fullmatch(language):
        raise BriefError([Problem(name, 1, "", "the file names no target language (XLIFF trgLang, PO Language)")])
    loaded, units = _source(brief_file)
    return _write_edition(loaded, units, edition_path(brief_file, language), language, received, name)


def _read_po_lazily(data, source_codes_of, exchange_file, brief_file, by_id):
    """PO: the brief is needed before the entries are read (their markup is the English's)."""
    import polib
    text = data.decode("utf-8")
    original = polib.pofile(text).metadata.get("Project-Id-Version")
    brief = _brief_of(exchange_file, brief_file, original, shown(exchange_file))
    by_id.update({unit.id: unit for unit in _source(brief)[1]})
    return read_po(text, source_codes_of)


def _brief_of(exchange_file, brief_file, original, name):
    if brief_file:
        return Path(brief_file)
    if not original or Path(original).name != original:
        raise BriefError([Problem(name, 1, "", "the file does not name its brief; give it with --brief FILE")])
    found = exchange_file.with_name(original)
    if not found.is_file():
        raise BriefError([Problem(name, 1, "", f"its brief, {original}, is not beside it; give it with --brief FILE")])
    return found


def _write_edition(loaded, units, edition_file, language, received, name):
    by_id = {unit.id: unit for unit in units}
    problems, warnings, taken = [], [], {}
    for item in received:
        unit = by_id.get(item.id)
        if unit is None:
            warnings.append(Problem(name, item.line, item.id, "the brief has no such unit (removed from the "
                                                               "English since the export?); left out"))
            continue
        if item.problem:
            problems.append(Problem(name, item.line, item.id, item.problem))
            continue
        if item.target is None:
            warnings.append(Problem(name, item.line, item.id, "the English changed since this file was "
                                                               "exported; export again; left out"))
            continue
        problem = placeholder_problem(item.target, item.codes)
        if problem:
            problems.append(Problem(name, item.line, item.id, problem))
            continue
        if not to_markdown(item.target).strip():   # an empty target (or one of entities only) is no translation
            continue
        recorded_hash = source_hash(unit.text) if item.source is None or \
            " ".join(item.source.split()) == " ".join(unit.text.split()) else source_hash(item.source)
        taken[item.id] = (to_markdown(item.target), recorded_hash)
    if problems:
        raise BriefError(problems)
    edition = _edition_data(edition_file)
    if edition is None and not taken:    # nothing translated yet: no English copy as an edition
        return Imported(edition_file, False, 0, warnings)
    merged = merge(loaded.data, edition, language, taken, units, loaded.path.parent)
    written = merged != edition
    if written:
        write_text(_records_only(merged, edition, edition_file)
                   or edition_yaml(merged, edition_file, loaded.path.name, language), edition_file)
    return Imported(edition_file, written, len(taken), warnings)


def _records_only(merged, edition, edition_file):
    """When only the records changed, the edition's own text with its
    `translation:` block (last in the file) replaced: its layout and comments kept."""
    if edition is None or {**merged, "translation": None} != {**edition, "translation": None}:
        return None
    if "translation" in edition and list(edition)[-1] != "translation":
        return None
    text = Path(edition_file).read_text(encoding="utf-8")
    text = re.split(r"(?m)^translation:", text)[0].rstrip("\n") + "\n\n"
    block = yaml.dump({"translation": merged["translation"]}, Dumper=_Dumper, sort_keys=False, width=100)
    return text + "# Written by `brief translate import`: the English each unit was translated from.\n" + block


def merge(source, edition, language, taken, units, folder):
    """The edition with the taken translations (unit id -> (markdown, source hash)) in place."""
    result = copy.deepcopy(edition) if edition is not None else _fresh(source, language)
    by_path = {}
    for unit in units:
        by_path.setdefault(unit.path, []).append(unit)
    for path, field_units in by_path.items():
        if not any(unit.id in taken for unit in field_units):
            continue
        current = [edition_text(result, unit) for unit in field_units]
        texts = [taken[unit.id][0] if unit.id in taken else current[index] or unit.text
                 for index, unit in enumerate(field_units)]
        if texts == current:
            continue
        source_value = value_at(source, path)
        shape = pieces(source_value) if isinstance(source_value, str) else pieces(field_units[0].text)
        multiline = isinstance(source_value, str) and "\n" in source_value.strip()
        _set(result, path, joined(shape, texts, multiline), source, folder)
    hashes = dict(recorded(result))
    hashes.update({unit_id: found[1] for unit_id, found in taken.items()})
    known = [unit.id for unit in units]
    ordered = {unit_id: hashes[unit_id] for unit_id in known if unit_id in hashes}
    if ordered != recorded(result) or "translation" not in result:
        result["translation"] = {"units": ordered}
    return result


def _fresh(source, language):
    fresh = {key: copy.deepcopy(value) for key, value in source.items() if key != "translation"}
    fresh["language"] = language
    return fresh


def _set(data, path, value, source, folder):
    """Put value at path, copying from the source what the edition lacks on the way
    (a missing block, a table's CSV cells as its own columns and rows)."""
    container = data
    for depth, part in enumerate(path[:-1]):
        container = _step(container, part, path[:depth + 1], path[depth + 1], source, folder)
    last = path[-1]
    if isinstance(container, list):
        while len(container) <= last:
            container.append(copy.deepcopy(value_at(source, path[:-1] + (len(container),))))
    elif last in ("columns", "rows") and "csv" in container:
        _inline_csv(container, folder)
    container[last] = value


def _step(container, part, path, next_part, source, folder):
    if isinstance(container, list):
        while len(container) <= part:
            container.append(copy.deepcopy(value_at(source, path[:-1] + (len(container),))))
        return container[part]
    if part in ("columns", "rows") and "csv" in container:
        _inline_csv(container, folder)
    if part not in container or container[part] is None:
        container[part] = copy.deepcopy(value_at(source, path))
    return container[part]


def _inline_csv(table, folder):
    """A table translated cell by cell keeps its cells in the edition, not in the shared CSV file."""
    try:
        header, *rows = read_table(folder, table)
    except TableError as error:
        raise BriefError([Problem(table["csv"], 1, "", str(error))]) from None
    for key in ("csv", "delimiter", "encoding"):
        table.pop(key, None)
    table["columns"], table["rows"] = header, rows


# --- the edition's YAML -------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper, value):
    style = "|" if "\n" in value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def edition_yaml(data, edition_file, original_name, language):
    """The edition as YAML: its own leading comments kept (or a new header),
    block scalars for paragraphs, the keys in the original's order."""
    header = _leading_comments(edition_file) or (
        "# yaml-language-server: $schema=../briefgen/brief.schema.json\n"
        f"# The {language} edition of {original_name}, written by `brief translate import`.\n")
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
    return header + body


def _leading_comments(file):
    if not Path(file).is_file():
        return ""
    lines = []
    for line in Path(file).read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


# --- status -----------------------------------------------------------------

def editions_of(brief_file):
    """The edition files beside a brief, by language."""
    brief_file = Path(brief_file)
    found = {}
    for file in sorted(brief_file.parent.glob(f"{brief_file.stem}.*{brief_file.suffix}")):
        match = EDITION.fullmatch(file.stem)
        if match and match["stem"] == brief_file.stem:
            found[match["language"]] = file
    return found


def status(brief_file):
    """A Status for each edition of a brief (or for the one edition named)."""
    original = original_of(brief_file)
    if original is not None:
        language = EDITION.fullmatch(Path(brief_file).stem)["language"]
        files = {language: Path(brief_file)}
        brief_file = original
    else:
        files = editions_of(brief_file)
    _, units = _source(brief_file)
    return [edition_status(units, _edition_data(file), file, language) for language, file in files.items()]


def edition_status(units, edition, file, language):
    return Status(Path(file), language, [(unit, unit_status(unit, edition)) for unit in units],
                  tracked="translation" in edition)


def status_lines(statuses, detail=True):
    """What `brief translate status` prints: a line per edition, then its stale and missing units."""
    lines = []
    for found in statuses:
        total = len(found.units)
        lines.append(f"{shown(found.file)}: {found.language}: {total} units: "
                     f"{_percent(found.count('translated'), total)} translated, "
                     f"{_percent(found.count('stale'), total)} stale, {_percent(found.count('missing'), total)} missing"
                     + ("" if found.tracked else " (it records no translation yet: export, then import)"))
        if detail:
            for unit, state in found.units:
                if state != "translated":
                    lines.append(f"  {state:<8} {unit.id}  {_preview(unit.text)}")
    return lines


def _percent(count, total):
    return f"{count} ({100 * count // total if total else 100}%)"


def _preview(text, width=60):
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"
