"""`callout`: a boxed aside with an optional title and a tone."""

from . import BlockType

BLOCK = BlockType(
    name="callout",
    schema={
        "type": "object", "required": ["text"], "additionalProperties": False,
        "properties": {"text": {"$ref": "#/$defs/markdown"}, "title": {"$ref": "#/$defs/text"},
                       "tone": {"enum": ["note", "key", "warning"]}, "variants": {"$ref": "#/$defs/variant_list"}},
    },
    markdown_fields=("text",),
    defaults={"title": None, "tone": "note"},
)
