"""`text`: paragraphs of markdown; a plain string in `content` is a text block too."""

from . import BlockType

BLOCK = BlockType(
    name="text",
    schema={"$ref": "#/$defs/markdown"},
    markdown_fields=("",),
)
