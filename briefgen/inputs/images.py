"""Images a brief references (a figure's, or a markdown image's): where they
may be and what they may be. Shared by validation and the block types;
files.py reads and checks them, tabular.py does the same for CSV tables."""

from pathlib import Path
from urllib.parse import urlsplit

from ..util import files

IMAGE_TYPES = (".svg", ".png", ".jpg", ".jpeg")


def image_problems(loaded, path, image):
    """Problems of an image path in a brief: [] when it may be printed."""
    folder = loaded.path.parent
    file = folder / image
    if urlsplit(image).scheme or Path(image).is_absolute():
        return [loaded.problem(path, f"'{image}' must be a path relative to the brief's folder")]
    try:
        files.resolve_inside(file, folder, name=image)
        if Path(image).suffix.lower() not in IMAGE_TYPES:
            return [loaded.problem(path, f"'{image}' is not an SVG, PNG or JPEG file")]
        files.check_image(file, folder, name=image)
    except files.FileRefused as error:
        return [loaded.problem(path, f"image not found: {file}" if error.kind == "missing" else str(error))]
    return []
