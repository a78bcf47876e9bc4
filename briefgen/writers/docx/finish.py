"""After pandoc, with python-docx: what pandoc's Word writer leaves out or
leaves to Word. Core properties (the authors' names alone, the subject,
keywords, the brief's date), the theme's page, column widths, right to left
throughout an Arabic brief, and fields updated when Word opens the file."""

from datetime import datetime, time
from io import BytesIO

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from .styles import points
from .tables import fit_columns

# What follows w:bidi in a paragraph's properties (Word's schema order).
BIDI_FOLLOWERS = tuple(f"w:{name}" for name in (
    "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap",
    "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange"))
# Settings Word reads after w:updateFields (it goes before the first of them).
AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                       "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                       "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
                       "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
                       "decimalSymbol", "listSeparator")


def finished(docx, metadata, date, tokens, page):
    """pandoc's DOCX (bytes), finished: the python-docx Document."""
    document = Document(BytesIO(docx))
    _properties(document, metadata, date)
    _page_setup(document, page)
    fit_columns(document, points(tokens["--size-body"]))
    if metadata.contents_title is not None:
        _update_fields_on_open(document.settings.element)
    if metadata.rtl:
        _right_to_left(document)
    return document


def _properties(document, metadata, date):
    """Title, authors' names, language, subject, keywords, the brief's date
    (the language of the text is the reference document's and pandoc's)."""
    properties = document.core_properties
    properties.title = metadata.title
    properties.author = "; ".join(metadata.names)
    properties.language = metadata.language
    properties.subject = metadata.subtitle
    properties.keywords = ", ".join(metadata.keywords)
    properties.comments = metadata.description
    properties.last_modified_by = ""
    properties.revision = 1
    if date:
        properties.created = properties.modified = datetime.combine(date, time())


def _page_setup(document, page):
    """The theme's paper and margins (its @page rule)."""
    width, height, (top, right, bottom, left) = page
    for section in document.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = \
            Mm(top), Mm(right), Mm(bottom), Mm(left)


def _right_to_left(document):
    """pandoc sets right to left (w:bidi) on the body's paragraphs, not on its
    title block's; a table's columns run right to left too (w:bidiVisual)."""
    for table in document.element.body.iter(qn("w:tbl")):
        table.tblPr.get_or_add_bidiVisual()
    for paragraph in document.element.body.iter(qn("w:p")):
        properties = paragraph.get_or_add_pPr()
        if properties.find(qn("w:bidi")) is None:
            properties.insert_element_before(OxmlElement("w:bidi"), *BIDI_FOLLOWERS)


def _update_fields_on_open(settings):
    if settings.find(qn("w:updateFields")) is not None:
        return
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    following = next((child for child in settings if child.tag.rpartition("}")[2] in AFTER_UPDATE_FIELDS), None)
    if following is not None:
        following.addprevious(update)
    else:
        settings.append(update)
