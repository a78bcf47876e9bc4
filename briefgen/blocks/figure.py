"""`figure`: a numbered image (SVG, PNG or JPEG) with caption and alt text."""

from ..content.access import figure_alt_problems
from ..inputs.images import image_problems
from . import BlockType

SCHEMA = {
    "type": "object", "required": ["image", "caption", "alt"], "additionalProperties": False,
    "properties": {
        "image": {"$ref": "#/$defs/text"},
        "caption": {"$ref": "#/$defs/markdown"},
        "alt": {"$ref": "#/$defs/text"},
        "source": {"$ref": "#/$defs/markdown"},
        "width": {"type": "string", "pattern": "^([1-9][0-9]|100)%$"},
        "id": {"$ref": "#/$defs/id"},
        "variants": {"$ref": "#/$defs/variant_list"},
    },
}


def files(figure):
    return [figure["image"]] if isinstance(figure, dict) and isinstance(figure.get("image"), str) else []


def problems(loaded, path, figure):
    if not (isinstance(figure, dict) and isinstance(figure.get("image"), str)):
        return []
    return image_problems(loaded, path + ("image",), figure["image"]) + _alt_problems(loaded, path + ("alt",), figure)


def _alt_problems(loaded, path, figure):
    if not all(isinstance(figure.get(key), str) for key in ("alt", "caption")):
        return []
    errors, warnings = figure_alt_problems(figure["alt"], figure["caption"], figure["image"])
    loaded.warnings.extend(loaded.problem(path, warning) for warning in warnings)
    return [loaded.problem(path, error) for error in errors]


BLOCK = BlockType(
    name="figure",
    schema=SCHEMA,
    markdown_fields=("caption", "source"),
    defaults={"source": None, "width": None, "id": None},
    files=files,
    problems=problems,
)
