"""What the brief has no place for, found for the report.

Pandoc shows comments and tracked changes (read with --track-changes=all);
text boxes, charts, SmartArt, embedded objects and page headers it reads
partly or not at all, and gives no sign of, so those are found in the Word
file with python-docx, under the heading they follow."""

from .tree import stringify, words

NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "dgm": "http://schemas.openxmlformats.org/drawingml/2006/diagram",
    "o": "urn:schemas-microsoft-com:office:office",
}
FIRST = "before the first heading"


def review_marks(tree, report):
    """Comments (left out) and tracked changes (accepted) of the tree read with
    --track-changes=all; True when there were any."""
    found = False
    where = FIRST
    for kind, content in _walk(tree["blocks"]):
        if kind == "Header":
            where = f"under '{words(stringify(content[2]))}'"
        if kind != "Span":
            continue
        (_, classes, attributes), inlines = content
        author = dict(attributes).get("author", "someone")
        text = _quoted(stringify(inlines))
        if "comment-start" in classes:
            report.add(where, f"a comment by {author}: {text}", "left out")
        elif "insertion" in classes:
            report.add(where, f"a tracked insertion by {author}: {text}", "accepted: the text is in the brief")
        elif "deletion" in classes:
            report.add(where, f"a tracked deletion by {author}: {text}", "accepted: the text is left out")
        elif not {"paragraph-insertion", "paragraph-deletion"} & set(classes):
            continue
        found = True
    return found


def word_objects(document, body_text, report):
    """Text boxes, charts, SmartArt and embedded objects in a python-docx
    Document; body_text: the imported text, to say whether a box's text is in it."""
    where = FIRST
    names = {style.style_id: (style.name or "").lower() for style in document.styles}   # ids are localised: Titre1
    for element in document.element.body.iterchildren():
        if element.tag == _tag("w", "p"):
            style = element.find("w:pPr/w:pStyle", NAMESPACES)
            name = names.get(style.get(_tag("w", "val"), ""), "") if style is not None else ""
            if name.startswith(("heading", "title")) and _text(element):
                where = f"under '{_text(element)}'"
        _objects(element, where, body_text, report)
    for texts in _page_margins(document):
        report.add("in the page headers and footers", f"the text {_quoted(texts)}",
                   "not imported (the theme prints its own running heads)")


def _objects(element, where, body_text, report):
    boxes = {}
    for box in element.iter(_tag("w", "txbxContent")):   # Word writes each box twice (drawing and VML)
        text = " ".join(_text(p) for p in box.iter(_tag("w", "p")))
        pictures = len(list(box.iter(_tag("a", "blip")))) + len(list(box.iter(
            "{urn:schemas-microsoft-com:vml}imagedata")))
        boxes[text] = max(boxes.get(text, 0), pictures)
    for text, pictures in boxes.items():
        kept = "its text kept in the body" if words(text) and words(text) in body_text else "its text left out"
        if pictures:
            kept += f"; the picture{'s' if pictures > 1 else ''} in it left out"
        report.add(where, f"a text box {_quoted(text) if text else '(no text)'}", kept)
    for _ in element.iter(_tag("c", "chart")):
        report.add(where, "a chart drawn in Word", "left out: save it as a picture and add it as a figure")
    for _ in element.iter(_tag("dgm", "relIds")):
        report.add(where, "a SmartArt diagram", "left out: save it as a picture and add it as a figure")
    for item in element.iter(_tag("o", "OLEObject")):
        program = item.get("ProgID", "an unknown program")
        report.add(where, f"an embedded object ({program})", "left out, or only its preview picture imported")


def _page_margins(document):
    seen = []
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            try:
                text = words(" ".join(paragraph.text for paragraph in part.paragraphs))
            except (AttributeError, KeyError, ValueError):   # a part the file does not have
                continue
            if text and text not in seen:
                seen.append(text)
    return seen


def _walk(value):
    """(kind, content) of every node, in document order."""
    if isinstance(value, dict):
        if "t" in value:
            yield value["t"], value.get("c")
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _tag(prefix, name):
    return f"{{{NAMESPACES[prefix]}}}{name}"


def _text(element):
    return words("".join(t.text or "" for t in element.iter(_tag("w", "t"))))


def _quoted(text, limit=80):
    text = words(text)
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"
