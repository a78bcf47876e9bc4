"""PDF/X-4 for print: every colour of a written PDF converted to the print
shop's CMYK, and the output intent that names their profile.

WeasyPrint 70 writes PDF/X-4's identification but paints in sRGB, and with no
CMYK profile loaded it declares no output intent. So the PDF it writes is
converted after the fact, with pikepdf and Little CMS (Pillow's ImageCms):
the colour operators of every content stream (text, rules, backgrounds, SVG
charts), shadings, transparency groups and raster images. Converting the PDF
rather than the stylesheets catches colours from every source (CSS, SVG,
images) the same way, and leaves the structure tree untouched.

A colour that CMYK cannot print as it looks on screen (a saturated brand
blue, say) is reported once, with what it becomes."""

import io
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..problems import BriefError, Problem

# Ghostscript's CMYK profile (Debian's libgs-common, installed by the set-up):
# a SWOP-like coated press; a print shop's own profile goes to --cmyk-profile.
DEFAULT_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
MAX_PROFILE_BYTES = 8 * 1024 * 1024
VISIBLE_CHANGE = 5.0     # CIEDE2000: above this, the change shows side by side on paper
RGB_SPACES = ("/DeviceRGB", "/CalRGB")
COLOUR_OPERATORS = {"rg": "k", "RG": "K"}


@dataclass(frozen=True)
class Profile:
    path: Path
    data: bytes
    name: str


def load_profile(path=None):
    """The CMYK output profile, or BriefError naming the file and what is wrong."""
    from PIL import ImageCms
    path = Path(path) if path else DEFAULT_PROFILE
    shown = str(path)
    if not path.is_file():
        hint = ("pass your print shop's profile with --cmyk-profile FILE.icc, or install Debian's "
                "libgs-common for the default") if path == DEFAULT_PROFILE else "no such file"
        raise BriefError([Problem(shown, 1, "cmyk-profile", f"PDF/X-4 needs a CMYK ICC profile: {hint}")])
    if path.stat().st_size > MAX_PROFILE_BYTES:
        raise BriefError([Problem(shown, 1, "cmyk-profile", f"over {MAX_PROFILE_BYTES // 2**20} MB, not an ICC profile")])
    data = path.read_bytes()
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
    except (OSError, ImageCms.PyCMSError) as error:
        raise BriefError([Problem(shown, 1, "cmyk-profile", f"not an ICC profile ({error})")]) from None
    space = profile.profile.xcolor_space.strip()
    if space != "CMYK" or profile.profile.device_class.strip() not in ("prtr", "mntr"):
        raise BriefError([Problem(shown, 1, "cmyk-profile",
                                  f"a {space} profile: PDF/X-4 for print needs a CMYK output profile")])
    return Profile(path, data, ImageCms.getProfileDescription(profile).strip() or path.stem)


class Converter:
    """sRGB -> the profile's CMYK, and back for what a colour becomes."""

    def __init__(self, profile):
        from PIL import ImageCms
        self.profile = profile
        srgb, cmyk = ImageCms.createProfile("sRGB"), ImageCms.ImageCmsProfile(io.BytesIO(profile.data))
        intent = ImageCms.Intent.RELATIVE_COLORIMETRIC
        flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
        self._to_cmyk = ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK", intent, flags)
        self._to_rgb = ImageCms.buildTransform(cmyk, srgb, "CMYK", "RGB", intent, flags)
        self.changed = {}      # '#rrggbb' -> ('#rrggbb' as printed, ΔE2000)

    @lru_cache(maxsize=4096)
    def cmyk(self, red, green, blue):
        """One colour (components 0-1) as CMYK components 0-1."""
        from PIL import Image, ImageCms
        pixel = Image.new("RGB", (1, 1), tuple(round(channel * 255) for channel in (red, green, blue)))
        cmyk_pixel = ImageCms.applyTransform(pixel, self._to_cmyk)
        self._note_change(pixel, cmyk_pixel)
        return tuple(round(channel / 255, 4) for channel in cmyk_pixel.getpixel((0, 0)))

    def image(self, picture):
        from PIL import ImageCms
        return ImageCms.applyTransform(picture.convert("RGB"), self._to_cmyk)

    def _note_change(self, pixel, cmyk_pixel):
        from coloraide import Color
        from PIL import ImageCms
        printed = ImageCms.applyTransform(cmyk_pixel, self._to_rgb).getpixel((0, 0))
        screen = "#{:02x}{:02x}{:02x}".format(*pixel.getpixel((0, 0)))
        shown = "#{:02x}{:02x}{:02x}".format(*printed)
        difference = Color(screen).delta_e(Color(shown), method="2000")
        if difference > VISIBLE_CHANGE:
            self.changed[screen] = (shown, difference)


def convert(pdf_bytes, profile, stylesheet_text=""):
    """The PDF with every colour in the profile's CMYK and its output intent;
    and the warnings for colours that change visibly (named by the custom
    property that sets them, where a stylesheet does)."""
    import pikepdf
    converter = Converter(profile)
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            _convert_box_group(page.obj)
            page.Contents = pdf.make_stream(_converted_content(page.obj, converter))
        for obj in pdf.objects:
            _convert_object(pdf, obj, converter)
        _set_trim_boxes(pdf)
        _add_output_intent(pdf, profile)
        written = io.BytesIO()
        pdf.save(written, deterministic_id=True)
    return written.getvalue(), _change_warnings(converter, stylesheet_text)


def _convert_object(pdf, obj, converter):
    import pikepdf
    if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        return
    if obj.get("/Subtype") == "/Image" and _is_rgb(obj.get("/ColorSpace")):
        _convert_image(obj, converter)
    elif isinstance(obj, pikepdf.Stream) and (obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1):
        _convert_box_group(obj)
        obj.write(_converted_content(obj, converter))
    elif "/ShadingType" in obj and (_is_rgb(obj.get("/ColorSpace")) or obj.get("/ColorSpace") == "/DeviceCMYK"):
        # In PDF/X mode WeasyPrint already names DeviceCMYK, with sRGB stops.
        obj.ColorSpace = pikepdf.Name.DeviceCMYK
        _convert_function(obj.Function, converter)


def _is_rgb(space):
    import pikepdf
    if isinstance(space, pikepdf.Array) and len(space) == 2 and space[0] == "/ICCBased":
        return int(space[1].get("/N", 0)) == 3
    return space is not None and str(space) in RGB_SPACES


def _convert_box_group(obj):
    import pikepdf
    group = obj.get("/Group")
    if group is not None and _is_rgb(group.get("/CS")):
        group.CS = pikepdf.Name.DeviceCMYK


def _converted_content(obj, converter):
    """The content stream with rg/RG as k/K, and DeviceRGB colour spaces set
    by cs/CS (with their sc/scn colours) as DeviceCMYK."""
    import pikepdf
    rewritten, rgb_space = [], {"cs": False, "CS": False}
    for operands, operator in pikepdf.parse_content_stream(obj):
        name = str(operator)
        if name in COLOUR_OPERATORS and len(operands) == 3:
            operands, operator = _cmyk_operands(operands, converter), pikepdf.Operator(COLOUR_OPERATORS[name])
        elif name in rgb_space and operands:
            rgb_space[name] = str(operands[0]) in RGB_SPACES
            if rgb_space[name]:
                operands = [pikepdf.Name.DeviceCMYK]
        elif name in ("sc", "scn", "SC", "SCN") and len(operands) == 3:
            if rgb_space["cs" if name.islower() else "CS"]:
                operands = _cmyk_operands(operands, converter)
        rewritten.append((operands, operator))
    return pikepdf.unparse_content_stream(rewritten)


def _cmyk_operands(operands, converter):
    return list(converter.cmyk(*(min(max(float(value), 0.0), 1.0) for value in operands)))


def _convert_function(function, converter):
    """A gradient's colours: exponential functions (C0, C1), and the stitching
    functions WeasyPrint makes of them for more than two stops."""
    if "/Functions" in function:
        for part in function.Functions:
            _convert_function(part, converter)
        return
    for key in ("/C0", "/C1"):
        values = [float(value) for value in function.get(key, [0, 0, 0] if key == "/C0" else [1, 1, 1])]
        if len(values) == 3:
            function[key] = list(converter.cmyk(*values))


def _convert_image(image, converter):
    import pikepdf
    from pikepdf import PdfImage
    picture = PdfImage(image).as_pil_image()
    cmyk = converter.image(picture)
    image.write(zlib.compress(cmyk.tobytes()), filter=pikepdf.Name.FlateDecode)
    image.ColorSpace = pikepdf.Name.DeviceCMYK
    image.BitsPerComponent = 8
    for key in ("/DecodeParms", "/Decode"):
        if key in image:
            del image[key]


def _set_trim_boxes(pdf):
    """PDF/X needs each page's trim box: the page itself where no bleed was set."""
    for page in pdf.pages:
        if "/TrimBox" not in page.obj and "/ArtBox" not in page.obj:
            page.obj.TrimBox = page.obj.get("/BleedBox", page.obj.MediaBox)


def _add_output_intent(pdf, profile):
    import pikepdf
    icc = pdf.make_stream(zlib.compress(profile.data), Filter=pikepdf.Name.FlateDecode, N=4)
    intent = pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
                                OutputConditionIdentifier=pikepdf.String(profile.name),
                                Info=pikepdf.String(profile.name), DestOutputProfile=icc)
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])


def _change_warnings(converter, stylesheet_text):
    if not converter.changed:
        return []
    described = []
    for screen, (printed, difference) in sorted(converter.changed.items(), key=lambda item: -item[1][1]):
        names = _properties_setting(screen, stylesheet_text)
        named = f" ({', '.join(names)})" if names else ""
        described.append(f"{screen}{named} prints as {printed} (ΔE {difference:.0f})")
    count = len(described)
    return [f"PDF/X-4: {count} colour{'s change' if count > 1 else ' changes'} visibly in CMYK "
            f"({converter.profile.name}): " + "; ".join(described)]


def _properties_setting(hex_colour, stylesheet_text):
    """The custom properties a stylesheet sets to this colour, e.g. --color-accent."""
    pattern = re.compile(r"(--[\w-]+)\s*:\s*" + re.escape(hex_colour) + r"\b", re.IGNORECASE)
    return list(dict.fromkeys(match.group(1) for match in pattern.finditer(stylesheet_text)))
