"""Files a brief references (images, CSV tables): where they may be, what
they may be, and reading them. Shared by validation and the block types."""

import csv
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageFile

IMAGE_TYPES = (".svg", ".png", ".jpg", ".jpeg")
MAX_IMAGE_BYTES = 20 * 2**20       # per image file
MAX_IMAGE_PIXELS = 40 * 10**6      # per raster image; far above print needs


def read_csv(file):
    with open(file, encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle) if row]


def csv_problems(folder, name):
    """Messages for a CSV table file that cannot be used; [] when it can."""
    file = folder / name
    if not inside(file, folder):
        return [f"'{name}' is outside the brief's folder"]
    if not file.is_file():
        return [f"file not found: {file}"]
    try:
        rows = read_csv(file)
    except (UnicodeDecodeError, csv.Error, OSError) as error:
        return [f"cannot read {name} as UTF-8 CSV: {error}"]
    if len(rows) < 2:
        return [f"{name} needs a header row and at least one data row"]
    bad = [number for number, row in enumerate(rows, 1) if len(row) != len(rows[0])]
    return [f"{name} row {bad[0]} has a different number of cells than the header"] if bad else []


def image_problems(loaded, path, image):
    """Problems of an image path (a figure's, or a markdown image's) in a brief."""
    folder = loaded.path.parent
    file = folder / image
    if urlsplit(image).scheme or Path(image).is_absolute():
        return [loaded.problem(path, f"'{image}' must be a path relative to the brief's folder")]
    if not inside(file, folder):
        return [loaded.problem(path, f"'{image}' is outside the brief's folder")]
    if Path(image).suffix.lower() not in IMAGE_TYPES:
        return [loaded.problem(path, f"'{image}' is not an SVG, PNG or JPEG file")]
    if not file.is_file():
        return [loaded.problem(path, f"image not found: {file}")]
    problem = _image_size_problem(file)
    return [loaded.problem(path, f"'{image}' {problem}")] if problem else []


def inside(file, folder):
    """After resolving symlinks and '..', is the file inside the folder?"""
    return Path(file).resolve().is_relative_to(Path(folder).resolve())


def _image_size_problem(file):
    size = file.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return f"is {size / 2**20:.0f} MB; images may have at most {MAX_IMAGE_BYTES // 2**20} MB"
    if file.suffix.lower() == ".svg":
        return None
    try:
        with Image.open(file) as image:  # reads the header only
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return f"is {width} x {height} pixels; images may have at most {MAX_IMAGE_PIXELS // 10**6} million"
            return _decoding_problem(image)
    except Image.DecompressionBombError:
        return f"has more than {MAX_IMAGE_PIXELS // 10**6} million pixels"
    except (OSError, Image.UnidentifiedImageError):
        return "is not a readable PNG or JPEG image"


def _decoding_problem(image):
    """Decode every pixel (within the size bound above): a truncated file
    would otherwise print with its lower part black. WeasyPrint tells Pillow
    to accept truncated images, process-wide; here they are refused."""
    accepting, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        return f"is truncated or damaged and cannot be decoded ({error})"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepting
    return None
