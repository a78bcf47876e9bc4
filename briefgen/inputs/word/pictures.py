"""The draft's pictures, copied to figures/ beside the brief with their alt text.

A picture without alt text gets a marker that says so, never a description
made up here, and is reported. A format a brief cannot print (EMF, WMF) is
reported and kept as its alt text; GIF, BMP, TIFF and WebP become PNG."""

import io
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image, UnidentifiedImageError

from ...util import files
from .. import PLACEHOLDER_ALT
from .tree import node, stringify, text_inlines, words

PRINTABLE = {".png", ".jpg", ".jpeg", ".svg"}
CONVERTIBLE = {".gif", ".bmp", ".tif", ".tiff", ".webp"}
MAX_PICTURE_BYTES = 50 * files.MB
NO_ALT = PLACEHOLDER_ALT


class Pictures:
    def __init__(self, source, media_dir, stem, report):
        self.source, self.media_dir, self.stem, self.report = source, Path(media_dir), stem, report
        self.planned = {}     # relative path in the brief -> bytes
        self.by_source = {}   # the picture's path in the draft -> relative path
        self.alts = []        # (relative path, alt text or None) of every picture placed

    def inline(self, content, where):
        """An Image inline of the draft -> the inlines that stand for it in the brief."""
        (_, _, _), alt_inlines, (src, _) = content
        alt = words(stringify(alt_inlines))
        placed = self.place(src, alt, where)
        if placed is None:
            return text_inlines(alt)
        return [node("Image", [["", [], []], text_inlines(placed[1]), [placed[0], ""]])]

    def place(self, src, alt, where):
        """(relative path, alt text) of the copied picture; None when it cannot be shown."""
        data, suffix = self._read(src, where, alt)
        if data is None:
            return None
        if not alt:
            self.report.add(where, f"a picture ({Path(src).name}) without alt text",
                            f"its alt text says '{NO_ALT}' until you write one")
        relative = self.by_source.get(src)
        if relative is None:
            relative = f"figures/{self.stem}-{len(self.planned) + 1}{suffix}"
            self.planned[relative] = data
            self.by_source[src] = relative
        self.alts.append((relative, alt or None))
        return relative, alt or NO_ALT

    def _read(self, src, where, alt):
        name = Path(unquote(urlsplit(src).path)).name or src
        if urlsplit(src).scheme:
            self.report.add(where, f"a picture at '{src}'", "not fetched (nothing is read from the network); "
                            "kept as its alt text")
            return None, None
        roots = [self.media_dir] if self.media_dir.is_dir() else []
        roots.append(self.source.parent)
        path = Path(src) if Path(src).is_absolute() else self.source.parent / src
        try:
            data = files.read_bytes(path, roots, MAX_PICTURE_BYTES, where="the draft's folder", name=name,
                                    what="pictures")
        except files.FileRefused as error:
            self.report.add(where, f"a picture: {error}", "kept as its alt text")
            return None, None
        return self._printable(data, Path(name).suffix.lower(), name, where, alt)

    def _printable(self, data, suffix, name, where, alt):
        if suffix in PRINTABLE:
            return data, ".jpg" if suffix == ".jpeg" else suffix
        if suffix in CONVERTIBLE:
            try:
                with Image.open(io.BytesIO(data)) as picture:
                    buffer = io.BytesIO()
                    picture.save(buffer, "PNG")
                return buffer.getvalue(), ".png"
            except (UnidentifiedImageError, OSError, ValueError):
                pass
        kept = f"kept as its alt text '{alt}'" if alt else "left out (it has no alt text to keep)"
        self.report.add(where, f"a picture {name} in a format a brief cannot print", kept)
        return None, None
