"""`quote`: a pull quote with its attribution."""

from . import BlockType

BLOCK = BlockType(
    name="quote",
    schema={
        "type": "object", "required": ["text"], "additionalProperties": False,
        "properties": {"text": {"$ref": "#/$defs/markdown"}, "source": {"$ref": "#/$defs/text"},
                       "variants": {"$ref": "#/$defs/variant_list"}},
    },
    markdown_fields=("text",),
    defaults={"source": None},
)
