"""Phase 2: check a loaded brief against the format: the JSON Schema first,
then what a schema cannot say (unique ids, citations, files that exist)."""

import copy
import difflib
import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .. import blocks
from ..util import cache
from ..content import crossref
from ..content.access import PLACEHOLDER_WARNING, is_placeholder_alt
from ..inputs import sources
from ..inputs.species import unprotected_species
from ..content.citations import style_path, style_problem
from ..inputs.images import image_problems
from ..content.markdown import inspect
from ..problems import BriefError, Problem

SCHEMA_FILE = Path(__file__).with_name("brief.schema.json")
LINK_SCHEMES = ("http", "https", "mailto")

JSON_TYPES = {"string": "text", "object": "a mapping", "array": "a list", "number": "a number",
              "integer": "a whole number", "boolean": "true or false", "null": "nothing"}
PATTERN_HINTS = {
    "date": "is not an ISO date such as 2025-11-15",
    "id": "is not a valid id (letters, digits, '-', '_', '.' and ':')",
    "url": "is not a web address starting with http:// or https://",
    "email": "is not an email address",
    "language": "is not a language tag such as 'en' or 'en-GB'",
    "width": "is not a width from 10% to 100%",
    "widths": "is not a percentage of the text width such as 30%",
}
DATE_FORM = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and line ends are text
CONTROL_NAMES = {"\x00": "a NUL character"}
VARIANT_NAME_HINT = "is not a variant name (lower case letters, digits, '-' and '_')"


def schema():
    """The brief's JSON Schema: the file's, with each registered block type's part."""
    return _schema(blocks.names())


@lru_cache(maxsize=4)
def _schema(block_names):
    whole = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    block = whole["$defs"]["block"]
    block["properties"] = {**{name: copy.deepcopy(kind.schema) for name, kind in blocks.registry().items()},
                           **block["properties"]}
    return whole


def _validator():
    return _validator_for(blocks.names())


@lru_cache(maxsize=4)
def _validator_for(block_names):
    from jsonschema import Draft202012Validator, FormatChecker  # only for content not checked before
    return Draft202012Validator(_schema(block_names), format_checker=FormatChecker())


def _schema_errors(loaded):
    """The JSON Schema's errors for the brief's data. Content that passed
    before (the same data, the same schema and tool) is not checked again:
    jsonschema costs a build a twentieth of its time, mostly importing it."""
    # A text of spaces only is checked as the empty text it reads as (minLength).
    data = _blanks_emptied(loaded.data)
    key = [_schema_digest(blocks.names()), hashlib.sha256(repr(data).encode()).hexdigest()]
    if cache.seen("valid-content", key):
        return []
    errors = list(_validator().iter_errors(data))
    if not errors:
        cache.note("valid-content", key)
    return errors


@lru_cache(maxsize=4)
def _schema_digest(block_names):
    return hashlib.sha256(json.dumps(_schema(block_names), sort_keys=True).encode()).hexdigest()


def validate_brief(loaded):
    """Raise BriefError listing every problem; return the brief's data when it has none."""
    problems = list(loaded.problems) + _text_problems(loaded)
    for error in _schema_errors(loaded):
        problems.extend(_schema_problems(loaded, error))
    problems.extend(_content_problems(loaded))
    raise_problems(problems)
    return loaded.data


def raise_problems(problems):
    if problems:
        unique = dict.fromkeys(problems)  # a field can be reached twice through variants
        raise BriefError(sorted(unique, key=lambda p: p.line))


def _blanks_emptied(value):
    if isinstance(value, str):
        return "" if not value.strip() else value
    if isinstance(value, dict):
        return {key: _blanks_emptied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_blanks_emptied(item) for item in value]
    return value


def _text_problems(loaded):
    """Control characters (NUL and the like) in any text: YAML's escapes let
    them in, and a PDF would show them as replacement boxes."""
    problems = []
    for path, value in walk(loaded.data):
        bad = CONTROL.search(value) if isinstance(value, str) else None
        if bad:
            name = CONTROL_NAMES.get(bad.group(), "a control character")
            problems.append(loaded.problem(path, f"contains {name} (U+{ord(bad.group()):04X}); remove it"))
    return problems


def walk(value, path=()):
    """(path, value) of every value of a brief, depth first, in the file's order."""
    yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from walk(item, path + (key,))


# --- schema errors in words an author understands -------------------------

def _schema_problems(loaded, error):
    path = tuple(error.absolute_path)
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        return [loaded.problem(path + (key,), _unknown_key(key, known, path))
                for key in instance if key not in known]
    if kind == "format" and not re.fullmatch(DATE_FORM, str(instance)):
        return []  # the pattern error already says what is wrong
    if kind == "required":
        name = re.match(r"'(.*)' is a required property", error.message)
        return [loaded.problem(path, f"'{name.group(1) if name else value}' is required")]
    return [loaded.problem(path, _describe(kind, value, instance, path, error, _value_at(loaded.data, path)))]


def _value_at(data, path):
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _unknown_key(key, known, path):
    is_block = len(path) >= 2 and path[-2] == "content"
    suggestion = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    hint = f"; did you mean '{suggestion[0]}'?" if suggestion else f"; expected one of: {', '.join(known)}"
    return f"unknown block type '{key}'{hint}" if is_block else f"unknown field '{key}'{hint}"


def _describe(kind, value, instance, path, error, original=None):
    name = next((part for part in reversed(path) if isinstance(part, str)), "")
    if kind == "type":
        expected = " or ".join(JSON_TYPES[t] for t in ([value] if isinstance(value, str) else value))
        message = f"expected {expected}, found {_kind_of(instance)}"
        if isinstance(instance, dict) and "string" in value:
            message += " (YAML reads an unquoted 'Label: text' as a mapping: put the text in quotes)"
        return message
    if kind == "minItems":
        return f"needs at least {value} item{'s' if value > 1 else ''}"
    if kind == "maxItems":
        return f"has {len(instance)} items; at most {value} are allowed"
    if kind == "minLength" and isinstance(original, str) and original:
        return "is blank (spaces only); write the text or leave the field out"
    if kind in ("minLength", "minProperties"):
        return "must not be empty"
    if kind == "pattern":
        if name == "variants":
            return f"{instance!r} {VARIANT_NAME_HINT}"
        return f"{instance!r} {PATTERN_HINTS.get(name, 'does not have the expected form')}"
    if kind == "propertyNames":
        return f"{instance!r} {VARIANT_NAME_HINT}"
    if kind == "format":
        return f"{instance!r} is not a real date"
    if kind == "enum":
        return f"{instance!r} is not one of: {', '.join(map(str, value))}"
    if kind == "const":
        return f"must be {json.dumps(value)}"
    return error.message


def _kind_of(value):
    if isinstance(value, bool):
        return "true or false"
    for python_type, words in ((str, "text"), (dict, "a mapping"), (list, "a list"),
                               (int, "a number"), (float, "a number"), (type(None), "nothing")):
        if isinstance(value, python_type):
            return words
    return type(value).__name__


# --- checks a schema cannot express ----------------------------------------

def derive_id(title):
    """Section anchor from its title: lower case ASCII letters, digits and hyphens."""
    ascii_title = unicodedata.normalize("NFKD", str(title)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def section_ids(sections):
    """Each section's id (explicit or derived), numbered from 1 when the title gives none."""
    ids = []
    for number, section in enumerate(_dicts(sections), 1):
        ids.append(str(section.get("id") or derive_id(section.get("title", "")) or f"section-{number}"))
    return ids


def _content_problems(loaded):
    data, folder = loaded.data, loaded.path.parent
    parts = [((), data)] + [(("variants", name), fields) for name, fields in
                            _items(data.get("variants")) if isinstance(fields, dict)]
    file_ids, problems = _bibliography_problems(loaded)
    reference_ids = {r["id"] for r in _dicts(data.get("references")) if isinstance(r.get("id"), str)} | file_ids
    problems += _duplicate_ids(loaded, ("references",), data.get("references"),
                               [r.get("id") for r in _dicts(data.get("references"))], "reference id")
    problems += _crossref_id_problems(loaded, parts)
    targets = crossref.targets([(fields, section_ids(fields.get("sections", data.get("sections"))),
                                 section_ids(fields.get("appendices", data.get("appendices"))))
                                for _, fields in parts])
    for prefix, fields in parts:
        sections = fields.get("sections", data.get("sections"))
        ids = section_ids(sections)
        for key, what in (("sections", "section id"), ("appendices", "appendix id")):
            if key in fields:
                problems += _duplicate_ids(loaded, prefix + (key,), fields[key], section_ids(fields[key]), what)
                problems += _block_problems(loaded, prefix + (key,), fields[key])
        if isinstance(fields.get("cover"), dict) and isinstance(fields["cover"].get("image"), str):
            problems += image_problems(loaded, prefix + ("cover", "image"), fields["cover"]["image"])
        refs = reference_ids | {r.get("id") for r in _dicts(fields.get("references")) if prefix}
        for path, text in _markdown_fields(fields, prefix, folder):
            problems += _markdown_problems(loaded, path, text, refs, set(ids))
            unknown = crossref.unknown_references(inspect(text).references, targets)
            problems += [loaded.problem(path, message) for message in unknown]
    return problems


def _bibliography_problems(loaded):
    """The ids of the bibliography files' entries, and the problems of those
    files (at their own file and line) and of `citation_style:`."""
    entries, problems = sources.read_bibliographies(loaded)
    for entry in entries:
        message = crossref.reference_id_problem(entry.id)
        if message:
            problems.append(Problem(entry.file, entry.line, "", message))
        if entry.file.lower().endswith(".bib"):
            loaded.warnings += [Problem(entry.file, entry.line, "title", _species_warning(entry.id, name))
                                for name in unprotected_species(entry.item.get("title"))]
    for prefix, fields in [((), loaded.data)] + [(("variants", name), fields) for name, fields in
                                                 _items(loaded.data.get("variants")) if isinstance(fields, dict)]:
        style = fields.get("citation_style")
        if isinstance(style, str) and style.strip():
            try:
                path = style_path(style, loaded.path.parent)
            except ValueError as error:
                problems.append(loaded.problem(prefix + ("citation_style",), str(error)))
                continue
            problem = style_problem(path) if style.lower().endswith(".csl") else None
            if problem:
                problems.append(loaded.problem(prefix + ("citation_style",), problem))
    return {entry.id for entry in entries}, problems


def _species_warning(key, name):
    return (f"entry '{key}': '{name}' looks like a species name, which title-case styles (Chicago) "
            f"capitalise; write {{{name}}} or \\textit{{{name}}} in the .bib to keep it as written")


def _crossref_id_problems(loaded, parts):
    """Reference ids that look like cross-references; figure and table ids used twice."""
    problems = []
    for prefix, fields in parts:
        for index, reference in _indexed_dicts(fields.get("references")):
            message = crossref.reference_id_problem(reference.get("id"))
            if message:
                problems.append(loaded.problem(prefix + ("references", index, "id"), message))
        for part, s, b, key, message in crossref.duplicate_block_ids(fields.get("sections"), fields.get("appendices")):
            problems.append(loaded.problem(prefix + (part, s, "content", b, key, "id"), message))
    return problems


def _duplicate_ids(loaded, path, items, ids, what):
    """An id used twice; a section's derived id points at its title and asks for an explicit one."""
    seen, problems = {}, []
    for (index, item), item_id in zip(_indexed_dicts(items), ids):
        if item_id is None:
            continue
        if item_id in seen:
            explicit = "id" in item
            message = f"{what} '{item_id}' is already used by {path[-1]}[{seen[item_id]}]"
            if not explicit:
                message += "; give this section an explicit 'id'"
            problems.append(loaded.problem(path + (index, "id" if explicit else "title"), message))
        seen.setdefault(item_id, index)
    return problems


def _block_problems(loaded, path, sections):
    problems = []
    for s, section in _indexed_dicts(sections):
        for b, block in _indexed_dicts(section.get("content")):
            block_path = path + (s, "content", b)
            kinds = [key for key in block if key in blocks.registry()]
            if len(kinds) > 1:
                problems.append(loaded.problem(block_path, f"a block holds exactly one of {', '.join(blocks.names())}; found {', '.join(kinds)}"))
            elif not kinds and set(block) == {"variants"}:
                problems.append(loaded.problem(block_path, f"a block needs one of {', '.join(blocks.names())}"))
            for kind in kinds[:1]:
                problems += blocks.block_type(kind).problems(loaded, block_path + (kind,), block[kind])
    return problems


def _markdown_problems(loaded, path, text, reference_ids, anchors):
    findings = inspect(text)
    problems = [citation_problem(loaded, path, ref, reference_ids, "no reference has that id")
                for ref in dict.fromkeys(findings.citations) if ref not in reference_ids]
    for href in findings.links:
        scheme = urlsplit(href).scheme.lower()
        if href.startswith("#"):
            if href[1:] not in anchors:
                problems.append(anchor_problem(loaded, path, href, anchors, f"no section has the id '{href[1:]}'"))
        elif scheme not in LINK_SCHEMES:
            problems.append(loaded.problem(path, f"link to '{href}' refused: links may go to http:, https:, mailto: or #section-id"))
    for image, alt in findings.images:
        problems += image_problems(loaded, path, image)
        if not alt.strip():
            problems.append(loaded.problem(path, f"image '{image}' needs alt text: ![what it shows]({image})"))
        elif is_placeholder_alt(alt):
            loaded.warnings.append(loaded.problem(path, f"image '{image}': {PLACEHOLDER_WARNING}"))
    return problems


def citation_problem(loaded, path, ref, reference_ids, reason):
    """At the line of the citation itself, inside a multi-line text."""
    line = loaded.line_in(path, "@" + re.escape(ref) + r"(?![A-Za-z0-9_:-])")
    return loaded.problem(path, f"unknown citation '@{ref}'; {reason}{did_you_mean(ref, reference_ids)}", line)


def anchor_problem(loaded, path, href, anchors, reason):
    line = loaded.line_in(path, r"\(\s*" + re.escape(href) + r"\b")
    return loaded.problem(path, f"link to '{href}' but {reason}{did_you_mean(href[1:], anchors, '#')}", line)


def did_you_mean(name, known, prefix=""):
    match = difflib.get_close_matches(str(name), sorted(map(str, known)), n=1, cutoff=0.6)
    return f"; did you mean '{prefix}{match[0]}'?" if match else ""


def referenced_files(data, brief_dir):
    """Files a valid brief reads: those its blocks name, and markdown images."""
    parts = [data] + [fields for _, fields in _items(data.get("variants"))]
    files = {brief_dir / name for name in sources.bibliography_files(data)}
    files.update(brief_dir / fields["citation_style"] for fields in parts
                 if str(fields.get("citation_style", "")).lower().endswith(".csl"))
    for fields in parts:
        if isinstance(fields.get("cover"), dict) and isinstance(fields["cover"].get("image"), str):
            files.add(brief_dir / fields["cover"]["image"])
        for section in _dicts(fields.get("sections")) + _dicts(fields.get("appendices")):
            for block in section.get("content") or ():
                kind = blocks.kind_of(block)
                if kind and isinstance(block, dict):
                    files.update(brief_dir / name for name in blocks.block_type(kind).files(block[kind]))
        for _, text in _markdown_fields(fields, (), brief_dir):
            files.update(brief_dir / image for image, _ in inspect(text).images)
    return sorted(files)


def markdown_paths(data, folder):
    """Where a brief holds markdown: the paths of its markdown fields, its variants' included."""
    parts = [((), data)] + [(("variants", name), fields) for name, fields in _items(data.get("variants"))
                            if isinstance(fields, dict)]
    return {path for prefix, fields in parts for path, _ in _markdown_fields(fields, prefix, folder)}


def _markdown_fields(fields, prefix, folder):
    """(path, text) of every markdown field in a brief or a variant's fields,
    table cells read from CSV files included."""
    for key in ("summary", "about", "contact", "disclaimer"):
        if isinstance(fields.get(key), str):
            yield prefix + (key,), fields[key]
    for index, point in _indexed(fields.get("key_points")):
        if isinstance(point, str):
            yield prefix + ("key_points", index), point
    for index, item in _indexed_dicts(fields.get("recommendations")):
        yield from _strings(item, prefix + ("recommendations", index), ("text",))
    for index, item in _indexed_dicts(fields.get("references")):
        yield from _strings(item, prefix + ("references", index), ("note",))
    if isinstance(fields.get("cover"), dict):
        yield from _strings(fields["cover"], prefix + ("cover",), ("credit",))
    for part in ("sections", "appendices"):
        for s, section in _indexed_dicts(fields.get(part)):
            yield from _strings(section, prefix + (part, s), ("summary",))
            for b, block in _indexed(section.get("content")):
                kind = blocks.kind_of(block) if isinstance(block, (str, dict)) else None
                if kind:
                    value = block if isinstance(block, str) else block[kind]
                    path = prefix + (part, s, "content", b)
                    yield from blocks.block_type(kind).markdown(value, path if isinstance(block, str) else path + (kind,), folder)


def _strings(mapping, path, keys):
    for key in keys:
        if isinstance(mapping.get(key), str):
            yield path + (key,), mapping[key]


def _indexed(value):
    return enumerate(value) if isinstance(value, list) else ()


def _indexed_dicts(value):
    return ((index, item) for index, item in _indexed(value) if isinstance(item, dict))


def _dicts(value):
    return [item for _, item in _indexed_dicts(value)]


def _items(value):
    return value.items() if isinstance(value, dict) else ()


# --- checks that need the theme: its variants ------------------------------

def variant_problems(loaded, theme_name, variants):
    """Raise BriefError when a variant name is not one the theme offers, or
    when a variant's merged content (the brief with that variant's fields
    replaced and its sections and blocks selected) cites or links to
    something the variant does not have."""
    problems = _variant_name_problems(loaded, theme_name, variants)
    if not problems:
        for variant in variants:
            problems += _merged_problems(loaded, variant)
    raise_problems(problems)


def _variant_name_problems(loaded, theme_name, variants):
    """A misspelt name would silently drop a block from every PDF."""
    problems = []
    for path, value in walk(loaded.data):
        if not path or path[-1] != "variants":
            continue
        named = [(path + (name,), name) for name in value] if path == ("variants",) and isinstance(value, dict) \
            else [(path + (index,), name) for index, name in _indexed(value)]
        for name_path, name in named:
            if name not in variants:
                hint = did_you_mean(name, variants) or f"; the theme '{theme_name}' offers: {', '.join(variants)}"
                problems.append(loaded.problem(name_path, f"unknown variant '{name}'{hint}"))
    return problems


def _merged_problems(loaded, variant):
    data, folder = loaded.data, loaded.path.parent
    overrides = _items_dict(data.get("variants")).get(variant)
    overrides = overrides if isinstance(overrides, dict) else {}
    merged = {key: value for key, value in {**data, **overrides}.items() if key != "variants"}

    def source(key):  # where a merged field was written
        return ("variants", variant) if key in overrides else ()

    references = _dicts(merged.get("references"))
    reference_ids = {r.get("id") for r in references} | {entry.id for entry in sources.read_bibliographies(loaded)[0]}
    anchors = {section_id for section, section_id in zip(_dicts(merged.get("sections")), section_ids(merged.get("sections")))
               if _included(section, variant)}
    problems = _duplicate_ids(loaded, source("references") + ("references",), merged.get("references"),
                              [r.get("id") for r in references], "reference id") if overrides.get("references") else []
    where = (f"in the variant '{variant}', whose references are variants.{variant}.references"
             if "references" in overrides else f"not in the variant '{variant}'")
    for key, value in merged.items():
        for path, text in _markdown_fields({key: value}, source(key), folder):
            if not _path_included(data, path, variant):
                continue
            findings = inspect(text)
            problems += [citation_problem(loaded, path, ref, reference_ids, f"no reference has that id {where}")
                         for ref in dict.fromkeys(findings.citations) if ref not in reference_ids]
            problems += [anchor_problem(loaded, path, href, anchors,
                                        f"the section '{href[1:]}' is not in the variant '{variant}'")
                         for href in findings.links if href.startswith("#") and href[1:] not in anchors]
    return problems


def _included(item, variant):
    return not isinstance(item.get("variants"), list) or variant in item["variants"]


def _path_included(data, path, variant):
    """Is every section and block on the way to this field part of the variant?"""
    node = data
    for key in path:
        node = _value_at(node, (key,))
        if isinstance(node, dict) and not _included(node, variant):
            return False
    return True


def _items_dict(value):
    return value if isinstance(value, dict) else {}
