"""A throwaway output writer, as the web edition adds one: this module and
its entry in briefgen.writers.FORMATS, nothing else. It writes the composed
variant's text, one block per line, with no layout."""

import re
from html import unescape

from briefgen.util.atomic import write_text
from briefgen.writers import Written

EXTENSION = ".txt"


def write(composed, target, options, after_layout):
    body = composed.html.split("<body", 1)[1]
    text = re.sub(r"<(p|h\d|li|figcaption|td|th)\b", r"\n<\1", body)
    lines = (" ".join(line.split()) for line in unescape(re.sub(r"<[^>]+>", " ", text)).splitlines())
    write_text("\n".join(line for line in lines if line) + "\n", target)
    return Written(target, pages=0)
