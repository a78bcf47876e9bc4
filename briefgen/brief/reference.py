"""The brief format's reference, written from the JSON Schema (schema()) as
markdown tables, for the documentation site: a field added to the schema or
to a block type is in the reference the next time the site is built."""

from .validate import schema

NAMED = {"text": "text", "markdown": "markdown", "id": "id", "variant_name": "variant name"}


def reference_markdown():
    """Markdown: the brief's top-level fields, then every kind of map they
    hold (section, author, ...), then every registered block type."""
    brief = schema()
    definitions = brief["$defs"]
    parts = [_table(brief, definitions)]
    for name, definition in definitions.items():
        if name != "block" and definition.get("properties"):
            parts.append(f"### {name}\n\n" + _described(definition) + _table(definition, definitions))
    block = definitions["block"]
    parts.append("### block\n\n" + _described(block) + "\n".join(
        f"- `{name}`: {_type(spec, definitions)}" for name, spec in block["properties"].items()) + "\n")
    for name, spec in block["properties"].items():
        if spec.get("properties"):
            parts.append(f"### {name} block\n\n" + _described(spec) + _table(spec, definitions))
    return "\n".join(parts)


def _described(spec):
    return f"{spec['description']}\n\n" if spec.get("description") else ""


def _table(spec, definitions):
    required = set(spec.get("required", ()))
    rows = ["| field | required | type | notes |", "|---|---|---|---|"]
    for name, field in spec["properties"].items():
        notes = field.get("description", "")
        rows.append(f"| `{name}` | {'yes' if name in required else ''} | {_type(field, definitions)} | {notes} |")
    return "\n".join(rows) + "\n"


def _type(spec, definitions):
    """A field's type in words: 'list of [section](#section), at least 1'."""
    if "$ref" in spec:
        return _referred(spec["$ref"], definitions)
    if "enum" in spec:
        return "one of " + ", ".join(f"`{value}`" for value in spec["enum"])
    kinds = spec.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = " or ".join(_kind(kind, spec, definitions) for kind in kinds)
    return words + _limits(spec)


def _kind(kind, spec, definitions):
    if kind == "array" and "items" in spec:
        return f"list of {_type(spec['items'], definitions)}"
    if kind == "string" and spec.get("format") == "date":
        return "date (`YYYY-MM-DD`)"
    if kind == "string" and "pattern" in spec:
        return f"string matching `{spec['pattern']}`".replace("|", "\\|")
    if kind == "object" and isinstance(spec.get("additionalProperties"), dict):
        keys = _type(spec["propertyNames"], definitions) if "propertyNames" in spec else "name"
        return f"map of {keys} to {_type(spec['additionalProperties'], definitions)}"
    if kind == "object":
        return "map" if spec.get("properties") else "map of any fields"
    return {"string": "string", "number": "number", "integer": "integer", "boolean": "yes/no"}.get(kind, kind)


def _limits(spec):
    said = []
    for key, word in (("minItems", "at least"), ("maxItems", "at most")):
        if key in spec:
            said.append(f"{word} {spec[key]}")
    return f" ({', '.join(said)})" if said else ""


def _referred(reference, definitions):
    name = reference.rsplit("/", 1)[-1]
    if reference.startswith("#/properties/"):
        return f"as the brief's `{name}`"
    if name in NAMED:
        return NAMED[name]
    definition = definitions.get(name, {})
    if definition.get("properties") or name == "block":
        return f"[{name}](#{name})"
    return _type(definition, definitions)
