"""--pdf-standard: the PDF standards a build can claim, alone or together
where the standards allow it. Every output is tagged whatever it claims.

WeasyPrint 70 writes one PDF variant at a time; where two standards share a
PDF version (PDF/UA-1 with PDF/A-2 or -3 on PDF 1.7, PDF/UA-2 with PDF/A-4 on
PDF 2.0), the PDF/A variant is written and the PDF/UA identification added to
its XMP metadata, the only place the two differ. PDF/X-4 (PDF 1.6) stands
alone; its colours are converted to CMYK after writing (cmyk.py)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Standard:
    family: str        # "ua", "a" or "x"
    part: int
    variant: str       # WeasyPrint's pdf_variant
    pdf_version: str
    meaning: str


STANDARDS = {
    "ua-1": Standard("ua", 1, "pdf/ua-1", "1.7", "accessible (PDF/UA-1)"),
    "ua-2": Standard("ua", 2, "pdf/ua-2", "2.0", "accessible, PDF 2.0 (PDF/UA-2)"),
    "a-1b": Standard("a", 1, "pdf/a-1b", "1.4", "archival, PDF 1.4 (PDF/A-1b)"),
    "a-2b": Standard("a", 2, "pdf/a-2b", "1.7", "archival (PDF/A-2b)"),
    "a-3b": Standard("a", 3, "pdf/a-3b", "1.7", "archival, attachments allowed (PDF/A-3b)"),
    "a-2u": Standard("a", 2, "pdf/a-2u", "1.7", "archival, text extractable (PDF/A-2u)"),
    "a-3u": Standard("a", 3, "pdf/a-3u", "1.7", "archival, text extractable (PDF/A-3u)"),
    "a-2a": Standard("a", 2, "pdf/a-2a", "1.7", "archival and tagged (PDF/A-2a)"),
    "a-3a": Standard("a", 3, "pdf/a-3a", "1.7", "archival and tagged (PDF/A-3a)"),
    "a-4": Standard("a", 4, "pdf/a-4u", "2.0", "archival, PDF 2.0 (PDF/A-4)"),
    "x-4": Standard("x", 4, "pdf/x-4", "1.6", "for print: CMYK with the print shop's output intent (PDF/X-4)"),
}
DEFAULT_STANDARD = "ua-1"
UA_NAMESPACE = b'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"'


class StandardsConflict(ValueError):
    """Standards that cannot hold together; the message is one line."""


def combine(names):
    """The canonical key of the standards asked for ('ua-1+a-2a'), or
    StandardsConflict naming why they cannot be claimed together."""
    chosen = sorted(dict.fromkeys(names or [DEFAULT_STANDARD]), key=lambda name: STANDARDS[name].family != "ua")
    families = [STANDARDS[name].family for name in chosen]
    for family in ("ua", "a", "x"):
        if families.count(family) > 1:
            same = " and ".join(name for name in chosen if STANDARDS[name].family == family)
            raise StandardsConflict(f"--pdf-standard {same}: a PDF claims one PDF/{family.upper()} part at most")
    versions = {STANDARDS[name].pdf_version for name in chosen}
    if len(versions) > 1:
        described = " and ".join(f"{name} (PDF {STANDARDS[name].pdf_version})" for name in chosen)
        raise StandardsConflict(f"--pdf-standard {described}: the two need different PDF versions; "
                                "combine ua-1 with a-2* or a-3*, ua-2 with a-4; x-4 stands alone")
    return "+".join(chosen)


def parts(key):
    return [STANDARDS[name] for name in key.split("+")]


def is_archival(key):
    return any(standard.family == "a" for standard in parts(key))


def is_print(key):
    return any(standard.family == "x" for standard in parts(key))


def pdf_options(key):
    """WeasyPrint's options for layout and writing. custom_metadata: <meta
    name="Status"> (a brief that is not final) joins the document information."""
    claimed = [standard for standard in parts(key) if standard.family in ("a", "x")]
    variant = (claimed or parts(key))[0].variant
    return {"pdf_variant": variant, "pdf_tags": True, "custom_metadata": True}


def finisher(key):
    """What write_pdf must add after WeasyPrint: the PDF/UA part of a combined
    claim; no 'conformance' on PDF/A-4, which has none (WeasyPrint writes U);
    and on PDF 2.0 the title in the document information too, where readers
    and checkers still look for it."""
    standards = parts(key)
    accessible = next((standard for standard in standards if standard.family == "ua"), None)
    archival = next((standard for standard in standards if standard.family == "a"), None)

    def finish(document, pdf):
        import pydyf
        if standards[0].pdf_version == "2.0" and document.metadata.title and "Title" not in pdf.info:
            pdf.info["Title"] = pydyf.String(document.metadata.title)
        if archival is None:
            return
        stream = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
        xmp = b"".join(stream.stream)
        if archival.part == 4:
            xmp = xmp.replace(b' pdfaid:conformance="U"', b"", 1)
        if accessible:
            xmp = xmp.replace(b'<rdf:Description rdf:about=""',
                              b'<rdf:Description rdf:about=""' + _ua_claim(accessible), 1)
        stream.stream = [xmp]
    return finish


def _ua_claim(accessible):
    claim = f' {UA_NAMESPACE.decode()} pdfuaid:part="{accessible.part}"'
    if accessible.part == 2:
        claim += ' pdfuaid:rev="2024"'
    return claim.encode()
