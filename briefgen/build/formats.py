"""One run, every format asked for (`--format pdf --format web`).

The formats are written one after the other, each as a whole batch (and each
series), so that a format that links the PDF editions (the web page: its
writer composes its own EDITION) finds this run's PDFs beside it: the PDFs
come first, and are built even when only the page is asked for."""

from dataclasses import replace

from .. import writers
from .batch import Stopped, build_all
from .series import build_series, is_series


def links_the_pdfs(output_format):
    return bool(getattr(writers.writer(output_format), "EDITION", None))


def formats_to_build(requested):
    """The formats a run writes, in order: each asked for once, PDF first,
    and PDF added when a format asked for links the PDF editions."""
    wanted = list(dict.fromkeys(requested or ("pdf",)))
    if "pdf" not in wanted and any(links_the_pdfs(name) for name in wanted):
        wanted.insert(0, "pdf")
    return sorted(wanted, key=links_the_pdfs)   # stable: otherwise in the order asked


def build_formats(brief_files, options, formats, jobs, force, cluster=None, layout=None):
    """Rows of the closing table for every format, brief (or series) and
    variant. A signal stops the run: Stopped carries every row done so far.
    layout: a LayoutProcess for the first batch's one document, if it has one."""
    rows = []
    series = [brief for brief in brief_files if is_series(brief)]
    singles = [brief for brief in brief_files if brief not in series]
    for output_format in formats_to_build(formats):
        try:
            if singles:
                rows += build_all(singles, replace(options, format=output_format), jobs, force, layout)
                layout = None   # one document per layout process
            for series_file in series:
                rows += build_series(series_file, replace(options, format=output_format), jobs, force, cluster)
        except Stopped as stop:
            stop.rows = rows + stop.rows
            raise
    return rows
