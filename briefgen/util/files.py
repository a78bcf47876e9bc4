"""Every file that comes from a brief or a theme is opened here, and only here:

- confined: after resolving symlinks and '..', it must lie inside one of the
  allowed folders;
- a regular file: FIFOs, devices, sockets and folders are refused before
  opening (a FIFO would block a read forever), and checked again after;
- not hard-linked: a hard link is the same file under a second name, so a
  link placed in the brief's folder could point at a file anywhere on the
  disk; resolving the path cannot tell, so a file with more than one link
  (st_nlink > 1) is refused;
- bounded: at most `limit` bytes are read (limit + 1 to notice more), so a
  file that grows, or that lies about its size, cannot fill the memory.

Refusals are FileRefused errors whose text completes "'<name>' ...".
"""

import base64
import os
import stat
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname
from xml.etree import ElementTree

from PIL import Image, ImageFile

MB = 2**20


class FileRefused(Exception):
    """One line: "'<name>' <reason>"."""

    def __init__(self, name, reason, kind):
        self.name, self.reason, self.kind = name, reason, kind
        super().__init__(f"'{name}' {reason}")


def megabytes(size):
    return f"{size / MB:.0f} MB" if size >= MB else f"{size / MB:.1f} MB"


def resolve_inside(path, roots, where="the brief's folder", name=None):
    """The file's real place; refused when it is outside every root."""
    resolved = Path(path).resolve()
    if not any(resolved.is_relative_to(Path(root).resolve()) for root in _as_list(roots)):
        raise FileRefused(name or path, f"is outside {where}", "outside")
    return resolved


def regular_file(path, roots, where="the brief's folder", name=None, single_link=True):
    """(resolved path, os.stat_result) of a confined, regular, singly linked file
    (single_link False: a file the user named, which may have other names)."""
    name = name or str(path)
    resolved = resolve_inside(path, roots, where, name)
    try:
        status = os.stat(resolved)
    except FileNotFoundError:
        raise FileRefused(name, "does not exist", "missing") from None
    except OSError as error:
        raise FileRefused(name, f"cannot be read: {error.strerror}", "unreadable") from None
    _check_status(status, name, where, single_link)
    return resolved, status


def read_bytes(path, roots, limit, where="the brief's folder", name=None, what="files here", single_link=True):
    """The file's bytes, at most `limit` of them."""
    name = name or str(path)
    resolved, status = regular_file(path, roots, where, name, single_link)
    if status.st_size > limit:
        raise FileRefused(name, _too_big(megabytes(status.st_size), limit, what), "size")
    try:
        # O_NONBLOCK: a FIFO swapped in after the check cannot block the open.
        descriptor = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise FileRefused(name, f"cannot be read: {error.strerror}", "unreadable") from None
    with os.fdopen(descriptor, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if (opened.st_dev, opened.st_ino) != (status.st_dev, status.st_ino):
            raise FileRefused(name, "changed while it was being read", "changed")
        _check_status(opened, name, where, single_link)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(name, _too_big(f"over {megabytes(limit)}", limit, what), "size")
    return data


def read_text(path, roots, limit, where="the brief's folder", name=None, what="files here", encoding="utf-8"):
    """The file as text; UnicodeDecodeError when it is not in the encoding."""
    return read_bytes(path, roots, limit, where, name, what).decode(encoding)


def _check_status(status, name, where, single_link):
    if not stat.S_ISREG(status.st_mode):
        raise FileRefused(name, f"is {_kind(status.st_mode)}, not a regular file", "special")
    if single_link and status.st_nlink > 1:
        raise FileRefused(name, f"has {status.st_nlink} hard links, so it may be a file outside {where}: "
                                "copy it instead of linking it", "links")


def _kind(mode):
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _too_big(size, limit, what):
    return f"is {size}; {what} may have at most {megabytes(limit)}"


def _as_list(roots):
    return [roots] if isinstance(roots, (str, os.PathLike)) else list(roots)


# --- images: checked from their header, before anything decodes them ----------

MAX_IMAGE_BYTES = 20 * MB          # per image file
MAX_IMAGE_PIXELS = 40 * 10**6      # per raster image; far above print needs
# Pillow refuses to open an image of more than twice its MAX_IMAGE_PIXELS: in
# this process that bounds every decode, WeasyPrint's included, at 80 million.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# The formats Pillow knows before loading its other plugins (which cost a
# one-document build more than the rest of this check): what the fetcher
# serves in another format is bounded by Pillow itself, above.
SERVED_RASTERS = ("PNG", "JPEG", "GIF", "BMP", "PPM")
SERVED_SIGNATURES = (b"\x89PNG", b"\xff\xd8", b"GIF8", b"BM", b"P")   # how each of them starts
FONT_SIGNATURES = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")
MAX_SVG_ELEMENTS = 50_000          # after <use> expansion; real charts have a few thousand
MAX_SVG_NESTING = 4                # SVG images inside SVG images inside ...
SVG_TYPES = (".svg",)
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def check_image(path, roots, where="the brief's folder", name=None):
    """Refuse an image file that is too big, too many pixels, or an SVG too
    large once its <use> elements are expanded or that refers to such an image."""
    name = name or str(path)
    data = read_bytes(path, roots, MAX_IMAGE_BYTES, where, name, what="images")
    if Path(path).suffix.lower() in SVG_TYPES:
        _SvgCheck(roots, where).elements(data, Path(path).resolve(), name)
    else:
        check_raster(data, name, required=True)


def check_raster(data, name, required=False, formats=None):
    """Refuse a raster image over the pixel bound, reading its header only.
    Returns False for data that is no raster image (a font, a stylesheet, an
    SVG) unless `required`. formats: the Pillow formats to try (None: all)."""
    bound, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None   # the size is judged below, in words
    try:
        with Image.open(BytesIO(data), formats=formats) as image:  # parses the header, decodes nothing
            width, height = image.size
    except (OSError, ValueError, Image.UnidentifiedImageError):
        if required:
            raise FileRefused(name, "is not a readable PNG or JPEG image", "unreadable") from None
        return False
    finally:
        Image.MAX_IMAGE_PIXELS = bound
    if width * height > MAX_IMAGE_PIXELS:
        raise FileRefused(name, f"is {width} x {height} pixels; images may have at most "
                                f"{MAX_IMAGE_PIXELS // 10**6} million", "pixels")
    if required:
        _decode_fully(data, name)
    return True


def _decode_fully(data, name):
    """Decode every pixel (within the pixel bound above): a truncated file
    would otherwise print with its lower part black. WeasyPrint tells Pillow
    to accept truncated images, process-wide; here they are refused."""
    accepting, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with Image.open(BytesIO(data)) as image:
            image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise FileRefused(name, f"is truncated or damaged and cannot be decoded ({error})", "unreadable") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepting


def check_served(data, name):
    """What the layout's fetcher serves: rasters within the image bounds, SVG
    within the element bound (the images an SVG refers to come through the
    fetcher on their own); fonts pass."""
    if data[:4] in FONT_SIGNATURES:
        return
    if data.lstrip()[:1] == b"<":
        _SvgCheck(roots=(), where="", follow=False).elements(data, None, name, required=False)
    elif data.startswith(SERVED_SIGNATURES) and check_raster(data, name, formats=SERVED_RASTERS):
        if len(data) > MAX_IMAGE_BYTES:
            raise FileRefused(name, _too_big(megabytes(len(data)), MAX_IMAGE_BYTES, "images"), "size")


class _SvgCheck:
    """Counts an SVG's elements as they are drawn: each <use> adds what it
    copies (memoized, so a bomb of nested <use> is counted in linear time),
    each <image> that is an SVG adds that SVG's count; raster <image>s get the
    same checks as figures."""

    def __init__(self, roots, where, follow=True):
        self.roots, self.where, self.follow = roots, where, follow
        self.files = {}   # resolved SVG path -> element count

    def elements(self, data, path, name, required=True, depth=0):
        if b"<!ENTITY" in data:   # as defusedxml does: no entity expansion at all
            raise FileRefused(name, "declares XML entities, which an image does not need", "svg")
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError as error:
            if not required:
                return 0
            raise FileRefused(name, f"is not a readable SVG image: {error}", "unreadable") from None
        if not required and _local(root.tag) != "svg":
            return 0
        by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
        counter = _Counter(self, by_id, path, name, depth)
        try:
            total = counter.count(root)
        except RecursionError:
            raise FileRefused(name, "is nested too deeply", "svg") from None
        if total > MAX_SVG_ELEMENTS:
            raise FileRefused(name, f"has over {MAX_SVG_ELEMENTS:,} elements once its <use> elements are "
                                    "expanded", "svg")
        return total

    def image(self, href, svg_path, svg_name, depth):
        """Elements an <image href> of an SVG adds; its image checked as a figure's."""
        if not self.follow or href.startswith("#"):
            return 0
        try:
            if href.startswith("data:"):
                return self._data_image(href, svg_name, depth)
            parts = urlsplit(href)
            if parts.scheme not in ("", "file") or svg_path is None:
                raise FileRefused(href, "is not a file beside the image: SVG images may only use files "
                                        "of the brief", "outside")
            target = svg_path.parent / url2pathname(parts.path)
            if target.suffix.lower() in SVG_TYPES:
                return self._svg_file(target, href, depth)
            check_image(target, self.roots, self.where, href)
            return 0
        except FileRefused as error:
            raise FileRefused(svg_name, f"refers to an image that cannot be used: {error}", error.kind) from None

    def _svg_file(self, target, href, depth):
        resolved = resolve_inside(target, self.roots, self.where, href)
        if resolved not in self.files:
            if depth >= MAX_SVG_NESTING:
                raise FileRefused(href, "nests SVG images too deeply", "svg")
            data = read_bytes(resolved, self.roots, MAX_IMAGE_BYTES, self.where, href, what="images")
            self.files[resolved] = self.elements(data, resolved, href, depth=depth + 1)
        return self.files[resolved]

    def _data_image(self, href, svg_name, depth):
        header, _, payload = href.partition(",")
        try:
            data = base64.b64decode(payload) if header.endswith(";base64") else unquote_to_bytes(payload)
        except ValueError:
            raise FileRefused("data: image", "is not valid base64", "unreadable") from None
        if "svg" in header:
            if depth >= MAX_SVG_NESTING:
                raise FileRefused("data: image", "nests SVG images too deeply", "svg")
            return self.elements(data, None, "data: image", depth=depth + 1)
        check_raster(data, "data: image", required=True)
        return 0


class _Counter:
    def __init__(self, check, by_id, path, name, depth):
        self.check, self.by_id, self.path, self.name, self.depth = check, by_id, path, name, depth
        self.counts, self.open = {}, set()

    def count(self, element):
        key = id(element)
        if key in self.counts:
            return self.counts[key]
        if key in self.open:
            raise FileRefused(self.name, "has a <use> element that refers to itself", "svg")
        self.open.add(key)
        total = 1 + sum(self.count(child) for child in element)
        href = element.get(XLINK_HREF) or element.get("href") or ""
        tag = _local(element.tag)
        if tag == "use" and href.startswith("#") and href[1:] in self.by_id:
            total += self.count(self.by_id[href[1:]])
        elif tag in ("image", "feImage") and href:
            total += self.check.image(href, self.path, self.name, self.depth)
        self.open.discard(key)
        self.counts[key] = total
        if total > MAX_SVG_ELEMENTS:  # stop counting early: the answer is known
            raise FileRefused(self.name, f"has over {MAX_SVG_ELEMENTS:,} elements once its <use> elements "
                                         "are expanded", "svg")
        return total


def _local(tag):
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
