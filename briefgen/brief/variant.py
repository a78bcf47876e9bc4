"""Phase 3b: the content of one variant: top-level fields replaced by the
variant's, sections and blocks limited to it, optional fields filled in so
templates (with StrictUndefined) can test them."""

import datetime

from .. import blocks
from .validate import section_ids

TOP_DEFAULTS = {
    "subtitle": None, "series": None, "number": None, "language": "en", "theme": None,
    "audience": None, "organisation": None, "authors": [], "keywords": [], "url": None,
    "recommendations": [], "references": [], "about": None, "contact": None, "disclaimer": None,
    "status": "final", "cover": None, "appendices": [],
    "bibliography": None, "citation_style": None,
}
ITEM_DEFAULTS = {
    "authors": {"role": None, "affiliation": None, "email": None},
    "recommendations": {"title": None, "audience": None},
    "references": {"author": None, "publisher": None, "year": None, "url": None, "note": None,
                   "entry": None, "label": None},   # entry, label: the citation style's (compose)
}


def select_variant(data, variant, brief_dir, defaults=None):
    """defaults: fields the theme's brand supplies (organisation, contact, ...)."""
    fields = {**data, **data.get("variants", {}).get(variant, {})}
    fields.pop("variants", None)
    brief = {**TOP_DEFAULTS, **(defaults or {}), **fields}
    brief["date"] = datetime.date.fromisoformat(brief["date"])
    brief["number"] = None if brief["number"] is None else str(brief["number"])
    for key, defaults in ITEM_DEFAULTS.items():
        brief[key] = [{**defaults, **item} for item in brief[key]]
    if brief["cover"]:
        brief["cover"] = {"credit": None, **brief["cover"]}
    for part in ("sections", "appendices"):
        brief[part] = _sections(brief[part], variant, brief_dir)
    return brief


def _sections(sections, variant, brief_dir):
    """The sections (or appendices) the variant includes, each with the blocks it includes."""
    return [
        {"summary": None, **section, "id": section_id,
         "content": [block for block in map(lambda b: _block(b, brief_dir), section["content"])
                     if _included(block, variant)]}
        for section, section_id in zip(sections, section_ids(sections))
        if _included(section, variant)]


def _included(item, variant):
    return variant in item.get("variants", [variant])


def _block(block, brief_dir):
    """A block as {'type': kind, ...fields, 'variants': [...]} whatever way it was
    written, prepared for its template by its block type."""
    kind = blocks.block_type(blocks.kind_of(block))
    value = block if isinstance(block, str) else block[kind.name]
    fields = dict(value) if isinstance(value, dict) else ({"text": value} if kind.name == "text" else {})
    if isinstance(block, dict) and "variants" in block:
        fields["variants"] = block["variants"]
    elif kind.variants is not None and "variants" not in fields:
        fields["variants"] = list(kind.variants)
    return {**kind.defaults, **kind.prepare(fields, brief_dir), "type": kind.name}


def longest_items(data, spec, count=2):
    """Where an author should cut first: the longest items among the fields the
    variant prints (its cut_hints), as paths into the brief's file."""
    overrides = data.get("variants", {}).get(spec.name, {})
    sized = []
    for name in spec.cut_hints:
        path = ("variants", spec.name, name) if name in overrides else (name,)
        value = overrides.get(name, data.get(name))
        if isinstance(value, str):
            sized.append((len(value), path))
        elif isinstance(value, list):
            sized += [(_length(item, name), path + (index,)) for index, item in enumerate(value)]
    return [path for _, path in sorted(sized, key=lambda pair: -pair[0])[:count]]


def _length(item, name):
    if isinstance(item, dict):
        # a section is printed by its summary in short variants
        item = item.get("summary", "") if name == "sections" else " ".join(map(str, item.values()))
    return len(str(item))
