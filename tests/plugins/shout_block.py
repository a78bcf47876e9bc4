"""A throwaway block type, as a plugin would add one: this module and its
template, nothing else. `shout: {text: ..., by: ...}` prints the text in
capitals with who said it."""

from pathlib import Path

from briefgen.blocks import BlockType


def files(value):
    return []


def problems(loaded, path, value):
    if isinstance(value, dict) and value.get("by", "").lower() == "nobody":
        return [loaded.problem(path + ("by",), "someone must say it")]
    return []


BLOCK = BlockType(
    name="shout",
    schema={"type": "object", "required": ["text"], "additionalProperties": False,
            "properties": {"text": {"$ref": "#/$defs/markdown"}, "by": {"$ref": "#/$defs/text"},
                           "variants": {"$ref": "#/$defs/variant_list"}}},
    markdown_fields=("text",),
    defaults={"by": None},
    variants=("full",),
    problems=problems,
    template_dir=Path(__file__).parent / "templates",
)
