"""Accessibility checks a schema cannot make: alt text that tells a reader
nothing, table columns without headers, heading levels a template skips, and
colours without enough contrast (WCAG AA, 4.5:1). Errors where a reader would
be failed, warnings otherwise."""

import colorsys
import re
from functools import lru_cache
from pathlib import Path

import tinycss2

from ..inputs import PLACEHOLDER_ALT

MINIMUM_CONTRAST = 4.5
FILE_NAME = re.compile(r"[\w.-]+\.(svg|png|jpe?g|gif|webp)", re.IGNORECASE)
# (text colour, background colour, what the pair is used for)
COLOUR_PAIRS = (
    ("--color-text", "--color-background", "body text"),
    ("--color-muted", "--color-background", "captions and small print"),
    ("--color-accent", "--color-background", "headings"),
    ("--color-highlight", "--color-background", "numbers and labels"),
    ("--color-on-accent", "--color-accent", "text on accent bands"),
    ("--color-text", "--color-surface", "text in boxes"),
    ("--color-accent", "--color-surface", "titles in boxes"),
    ("--color-warning", "--color-warning-surface", "warning call-outs"),
)


def figure_alt_problems(alt, caption, image):
    """(errors, warnings) for one figure's alt text."""
    if is_placeholder_alt(alt):
        return [], [PLACEHOLDER_WARNING]
    alt_words, caption_words = _words(alt), _words(caption)
    if FILE_NAME.fullmatch(alt.strip()) or alt_words == _words(Path(image).stem):
        return [f"alt text {alt!r} is a file name; describe what the image shows"], []
    if alt_words == caption_words:
        return [], ["alt text repeats the caption; describe what the image shows instead"]
    return [], []


PLACEHOLDER_WARNING = "alt text is brief import's placeholder; describe what the image shows"


def is_placeholder_alt(alt):
    return str(alt).strip() == PLACEHOLDER_ALT


def _words(text):
    return re.sub(r"[\W_]+", " ", str(text)).strip().lower()


def heading_problems(html):
    """Heading levels in the composed HTML, in order: the first is h1 and none skips a level."""
    problems, previous = [], 0
    for level, text in re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", html, re.S):
        level = int(level)
        if level > previous + 1:
            label = re.sub(r"<[^>]+>", "", text).strip()[:40]
            after = f"follows h{previous}" if previous else "is the first heading"
            problems.append(f"heading h{level} {label!r} {after}: a heading level is skipped")
        previous = level
    return problems


@lru_cache(maxsize=16)
def contrast_failures(stylesheet_texts):
    """(text token, colour, background token, colour, use, ratio) of the theme's
    colour pairs (stylesheets in cascade order) under 4.5:1."""
    tokens = {}
    for text in stylesheet_texts:
        tokens.update(_root_tokens(text))
    failures = []
    for text_token, background_token, use in COLOUR_PAIRS:
        # text set in a colour may have its own shade (--color-warning-text): a brand's faint colour
        foreground = tokens.get(text_token + "-text") or tokens.get(text_token)
        background = tokens.get(background_token)
        if not (foreground and background):
            continue
        ratio = contrast(foreground, background)
        if ratio < MINIMUM_CONTRAST:
            failures.append((text_token, foreground, background_token, background, use, ratio))
    return failures


def passing_shade(colour, other):
    """The shade of a colour nearest to it (same hue and saturation, the least
    change of lightness) whose contrast with the other colour passes; and its ratio."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*_channels(colour))
    for step in range(1, 1001):
        for candidate in (lightness - step / 1000, lightness + step / 1000):
            if 0 <= candidate <= 1:
                shade = _hex(colorsys.hls_to_rgb(hue, candidate, saturation))
                if contrast(shade, other) >= MINIMUM_CONTRAST:
                    return shade, contrast(shade, other)
    return "#000000", contrast("#000000", other)


def _hex(channels):
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in channels)


def root_properties(css):
    """Custom properties set on :root, as text."""
    return dict(_root_properties(css))


@lru_cache(maxsize=32)
def _root_properties(css):
    """Parsed once per process and stylesheet text: every build of a theme
    (a series' rows, watch's rebuilds) reads the same few stylesheets."""
    found = {}
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != ":root":
            continue
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True):
            if declaration.type == "declaration" and declaration.name.startswith("--"):
                found[declaration.name] = tinycss2.serialize(declaration.value).strip()
    return tuple(found.items())


def _root_tokens(css):
    """Colour custom properties (#hex values) set on :root."""
    return {name: value.lower() for name, value in root_properties(css).items()
            if re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value)}



def contrast(first, second):
    """WCAG contrast ratio of two #hex colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _channels(colour):
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return [int(digits[index:index + 2], 16) / 255 for index in (0, 2, 4)]


def _luminance(colour):
    channels = _channels(colour)
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
