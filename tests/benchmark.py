"""Speed and memory figures, measured in one run on this machine (not part of
the test run; it takes a few minutes):

    .venv/bin/python tests/benchmark.py [processes] [jobs] [phases] [edits] [speed] [memory]

processes: the full brief and the one-pager, ours against raw WeasyPrint
writing the same final HTML, whole process, wall clock and CPU, best of 5
interleaved; jobs: --jobs 2 against --jobs 1 on four copies of the sample;
phases: a series' one-pagers, CPU per page by phase, and raw WeasyPrint on
the same HTML; edits: watch and serve, an edit saved to the new PDF.

Prints a table: our overhead over raw WeasyPrint on the same HTML (best of
11 interleaved runs, in CPU time), the share
of a build spent inside WeasyPrint, a generated 100-page brief, 40 documents
with --jobs 1, --jobs 2 and as 40 separate commands, a no-op rebuild, the
watch loop's rebuild time, the layouts the page-budget fit used, and what a
chart costs (cold, warm and uncached, cached). The chart figures alone:

    .venv/bin/python tests/benchmark.py charts

and the bibliography's (a 50-entry .bib export read and formatted):

    .venv/bin/python tests/benchmark.py bibliography

and what the web edition adds to a brief's build:

    .venv/bin/python tests/benchmark.py web

The sample's full brief in English and as a French edition, side by side:

    .venv/bin/python tests/benchmark.py editions

A series of 1,000 one-page summaries with a chart each, from a dataset the
benchmark writes (time, and each worker's peak memory at the start, middle
and end of the run):

    .venv/bin/python tests/benchmark.py series
"""

import cProfile
import gc
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefgen.build.batch import worker_pool  # noqa: E402
from briefgen.build.document import Options  # noqa: E402
from briefgen.build import document as build  # noqa: E402
from briefgen.build.watch import rebuild, watch_brief  # noqa: E402
from conftest import MINIMAL_BRIEF  # noqa: E402

SAMPLE = ROOT / "briefs" / "north-korea-trafficking.yaml"
CLI = [sys.executable, str(ROOT / "generate.py")]
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}  # what our builds write by default
RUNS = 11


def build_brief(brief, variants=(), **options):
    return build.build_brief(brief, Options(tuple(variants), **options))


def measured(function, collector_paused):
    """CPU seconds of one call; with the collector paused (after a collection),
    the work alone, which is what makes two runs comparable on a busy machine."""
    gc.collect()
    if collector_paused:
        gc.disable()
    try:
        start = time.process_time()
        function()
        return time.process_time() - start
    finally:
        gc.enable()


def overhead(work, collector_paused=True):
    """Our full build against WeasyPrint alone on the very same HTML, one process."""
    from weasyprint import HTML
    [output] = build_brief(SAMPLE, ["full"], out_dir=work, keep_html=True)  # warm
    html = output.path.with_suffix(".html").read_text(encoding="utf-8")
    base = SAMPLE.parent.resolve().as_uri() + "/"
    raw, ours = [], []
    for _ in range(RUNS):  # interleaved, so both see the same machine
        raw.append(measured(lambda: HTML(string=html, base_url=base).render(**PDF_OPTIONS).write_pdf(
            work / "raw.pdf", **PDF_OPTIONS), collector_paused))
        ours.append(measured(lambda: build_brief(SAMPLE, ["full"], out_dir=work), collector_paused))
    return min(ours), min(raw)


RAW_WRITE = """import sys
from weasyprint import HTML
html = open(sys.argv[1], encoding="utf-8").read()
HTML(string=html, base_url=sys.argv[2]).write_pdf(sys.argv[3], pdf_variant="pdf/ua-1", pdf_tags=True,
                                                  custom_metadata=True)
"""
# The same, WeasyPrint imported as our processes import it: without running gcc
# and ld to look for its C libraries (render/engine_import.py). Printed beside
# the plain one, so that the figures show what that import alone is worth.
RAW_WRITE_QUICK = RAW_WRITE.replace("from weasyprint import HTML", (
    f"sys.path.insert(0, {str(ROOT)!r}); from briefgen.render.engine_import import import_weasyprint; "
    "HTML = import_weasyprint().HTML"))


def whole_processes(work, variant="full", runs=5):
    """`brief build SAMPLE -v VARIANT` (one document: composed in the calling
    process, laid out by its layout process) against a process that imports
    WeasyPrint and writes the final HTML of our build (the HTML composed,
    with the tokens of the fit step the build took), with the same tagging,
    PDF/UA part and base URL (the brief's folder), so that both make the same
    pages; and against the same raw process importing WeasyPrint as ours do.
    {name: (wall, CPU) seconds}, each the best of `runs` interleaved runs,
    and how many layouts our build took (raw WeasyPrint: one)."""
    ours = CLI + ["build", str(SAMPLE), "-v", variant, "--force", "--out", str(work / "single")]
    # The first run compiles our modules and fills the cache of what runs reuse (briefgen/util/cache.py).
    subprocess.run(ours + ["--html"], check=True, capture_output=True, env=USER_ENVIRONMENT)
    [probe] = build_brief(SAMPLE, [variant], out_dir=work / "probe")
    html = work / "single" / f"{SAMPLE.stem}-{variant}.html"
    if probe.step:
        final = html.read_text(encoding="utf-8").replace(
            "</head>", f"<style>{probe.step.css(important=True)}</style></head>", 1)
        html = html.with_name(f"{html.stem}-final.html")
        html.write_text(final, encoding="utf-8")
    arguments = [str(html), SAMPLE.parent.resolve().as_uri() + "/", str(work / "raw.pdf")]
    commands = {"raw": [sys.executable, "-c", RAW_WRITE, *arguments], "ours": ours,
                "raw, quick import": [sys.executable, "-c", RAW_WRITE_QUICK, *arguments]}
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(whole_process(command))
    assert len(PdfReader(work / "raw.pdf").pages) == probe.pages   # the same pages
    best = {name: (min(wall for wall, _ in runs), min(cpu for _, cpu in runs)) for name, runs in times.items()}
    return best, probe.layouts


# As a user runs it: Python keeps compiled modules (some environments turn that off).
USER_ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def whole_process(command):
    """Wall-clock and CPU seconds (user + system, its children included) of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=USER_ENVIRONMENT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def tree_rss(process):
    """Resident memory of a process and all its descendants, MB."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2 ** 20


def watch_growth(work, rebuilds=200):
    """Memory of the watch process tree (this process and its workers) after
    the first build and after `rebuilds` rebuilds of the sample's variants."""
    me = psutil.Process()
    sizes = []

    def changes():
        sizes.append(tree_rss(me))
        for _ in range(rebuilds):
            yield {"modified"}
        sizes.append(tree_rss(me))

    with open(os.devnull, "w") as quiet:
        stdout, sys.stdout = sys.stdout, quiet
        try:
            watch_brief(SAMPLE, Options(out_dir=work / "watch-growth"), 2, changes=changes())
        finally:
            sys.stdout = stdout
    return sizes[0], sizes[-1]


def many_briefs(work, count=500):
    """Peak resident memory of the whole process tree of `brief build` of
    `count` small briefs (summary variant), --jobs 2, sampled every 50 ms."""
    folder = work / "many"
    folder.mkdir()
    for n in range(count):
        (folder / f"brief-{n:03}.yaml").write_text(MINIMAL_BRIEF.replace("A minimal brief", f"Brief {n}"),
                                                   encoding="utf-8")
    start = time.perf_counter()
    process = subprocess.Popen(CLI + ["build", *sorted(map(str, folder.glob("*.yaml"))), "-v", "summary",
                                      "--jobs", "2", "--out", str(work / "many-out")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree, peak = psutil.Process(process.pid), 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss(tree))
        time.sleep(0.05)
    assert process.returncode == 0
    return peak, time.perf_counter() - start


def weasyprint_share(work):
    profile = cProfile.Profile()
    profile.enable()
    build_brief(SAMPLE, ["full"], out_dir=work)
    profile.disable()
    stats = pstats.Stats(profile).stats

    def cumulative(suffix, name):
        return sum(entry[3] for (file, _, function), entry in stats.items() if function == name and file.endswith(suffix))
    engine = cumulative("weasyprint/__init__.py", "render") + cumulative("weasyprint/document.py", "write_pdf")
    return engine / cumulative("briefgen/build/document.py", "build_brief")


def long_brief(work, sections=70):
    """About 100 pages: sections of prose with footnotes, tables and call-outs."""
    paragraph = ("Monitoring bodies describe the same pattern from different angles, and each source has limits "
                 "that the others partly cover^[A note on sources and their limits, kept short.]. ") * 6
    rows = "".join(f"            - [Item {n}, 'A finding described in a few words', '{n * 7}']\n" for n in range(12))
    section = (f"  - title: Section {{n}}\n    content:\n      - \"{paragraph}\"\n      - \"{paragraph}\"\n"
               f"      - callout: {{{{title: Note, text: A call-out in section {{n}}.}}}}\n"
               f"      - table:\n          caption: Findings of section {{n}}\n          columns: [Item, Finding, Count]\n"
               f"          rows:\n{rows}      - \"{paragraph}\"\n")
    text = SAMPLE.read_text(encoding="utf-8").split("\nsections:\n")[0] + "\nsections:\n" + "".join(
        section.format(n=n) for n in range(1, sections + 1))
    text = text.replace("[@tip-report]", "").replace("[@", "[@")  # no references in this brief
    brief = work / "long.yaml"
    _copy_bibliography(work)
    brief.write_text(text.replace("\nreferences:", "\nunused_references:"), encoding="utf-8")
    return brief


def _copy_bibliography(folder):
    """The sample's bibliography file, beside copies of the sample."""
    shutil.copy(SAMPLE.with_suffix(".json"), folder)


def long_build(brief, work):
    """Time and peak memory of building the long brief in a fresh process."""
    code = ("import sys, time, resource; sys.path.insert(0, sys.argv[1]); from briefgen.build.document import Options, build_brief; "
            "t = time.perf_counter(); [o] = build_brief(sys.argv[2], Options(('full',), out_dir=sys.argv[3])); "
            "print(o.pages, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT), str(brief), str(work)],
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]) / 1024


def forty_documents(work):
    briefs = []
    for n in range(20):
        copy = work / "briefs" / f"brief-{n:02}.yaml"
        copy.parent.mkdir(exist_ok=True)
        copy.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
        briefs.append(copy)
    for folder in ("figures", "data"):
        shutil.copytree(SAMPLE.parent / folder, work / "briefs" / folder, dirs_exist_ok=True)
    _copy_bibliography(work / "briefs")
    variants = ["-v", "full", "-v", "summary"]
    out = work / "out"

    def command(*args):
        start = time.perf_counter()
        subprocess.run(CLI + ["build", *args], check=True, capture_output=True)
        return time.perf_counter() - start
    jobs1 = command(*map(str, briefs), *variants, "--out", str(out), "--jobs", "1", "--force")
    jobs2 = command(*map(str, briefs), *variants, "--out", str(out), "--jobs", "2", "--force")
    noop = command(*map(str, briefs), *variants, "--out", str(out))
    separate = sum(command(str(brief), "-v", variant, "--out", str(work / "separate"), "--force")
                   for brief in briefs for variant in ("full", "summary"))
    return jobs1, jobs2, separate, noop


def watch_rebuild(work):
    options = Options(out_dir=work / "watch")
    with worker_pool(2) as pool:
        rebuild(SAMPLE, options, pool)  # the first build
        return min(rebuild(SAMPLE, options, pool) for _ in range(3))


def fit_layouts(work):
    outputs = build_brief(SAMPLE, out_dir=work / "fit")
    return {output.variant: output.layouts for output in outputs}


def chart_costs(work):
    """Seconds to draw one chart: the first conversion in a process (the
    converter starts), a new chart in a warm process, and a chart drawn before
    (read from the output folder's cache)."""
    from briefgen.content import charts
    from briefgen.theme.resolve import resolve_theme
    chart_theme = resolve_theme("default").chart_theme()

    def draw(seed):
        rows = [{"year": str(2018 + n), "value": (seed * 7 + n * 13) % 50} for n in range(8)]
        spec = {"mark": "bar", "data": {"values": rows}, "width": 650, "height": 260,
                "encoding": {"x": {"field": "year", "type": "ordinal"}, "y": {"field": "value", "type": "quantitative"}}}
        start = time.perf_counter()
        charts.draw(spec, chart_theme.config, "en", chart_theme, work / "chart-cache")
        return time.perf_counter() - start
    cold = draw(0)
    warm = sorted(draw(seed) for seed in range(1, 12))
    cached = sorted(draw(seed) for seed in range(1, 12))
    return cold, warm[len(warm) // 2], cached[len(cached) // 2]


def chart_rows(work):
    cold, warm, cached = chart_costs(work)
    return [("chart: first conversion in a process", f"{cold * 1000:.0f} ms"),
            ("chart: new chart, warm process, median (target < 100 ms)", f"{warm * 1000:.0f} ms"),
            ("chart: from the cache, median (target ~ 0)", f"{cached * 1000:.2f} ms")]


def whole_process_rows(work):
    rows = [("load average at the start (1, 5, 15 min; 2 cores: over 2 is a busy machine)",
             ", ".join(f"{load:.1f}" for load in os.getloadavg()))]
    for variant, target in (("full", 1.10), ("summary", 1.15)):
        processes, layouts = whole_processes(work / variant, variant)
        (ours_wall, ours_cpu), (raw_wall, raw_cpu) = processes["ours"], processes["raw"]
        quick_wall, quick_cpu = processes["raw, quick import"]
        rows += [(f"`brief build sample -v {variant}` / raw WeasyPrint, its final HTML, whole process, best of 5 "
                  f"interleaved (target <= {target:.2f}x wall)",
                  f"wall {ours_wall:.2f} s / {raw_wall:.2f} s = {ours_wall / raw_wall:.2f}x; "
                  f"CPU {ours_cpu:.2f} s / {raw_cpu:.2f} s = {ours_cpu / raw_cpu:.2f}x; "
                  f"layouts {layouts} / 1"),
                 ("  the same against raw WeasyPrint imported without its gcc and ld library search",
                  f"wall {ours_wall:.2f} s / {quick_wall:.2f} s = {ours_wall / quick_wall:.2f}x; "
                  f"CPU {ours_cpu:.2f} s / {quick_cpu:.2f} s = {ours_cpu / quick_cpu:.2f}x")]
    return rows


def four_briefs(work, runs=2):
    """`brief build` of four copies of the sample (every variant: 12 documents),
    --jobs 1 against --jobs 2, best of `runs` interleaved, wall clock."""
    folder = work / "four"
    folder.mkdir()
    for folder_name in ("figures", "data"):
        shutil.copytree(SAMPLE.parent / folder_name, folder / folder_name)
    _copy_bibliography(folder)
    briefs = []
    for n in range(4):
        briefs.append(folder / f"brief-{n}.yaml")
        briefs[-1].write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    times = {1: [], 2: []}
    for _ in range(runs):
        for jobs in times:
            command = CLI + ["build", *map(str, briefs), "--jobs", str(jobs), "--force", "--out", str(work / "out")]
            times[jobs].append(whole_process(command))
    return {jobs: min(wall for wall, _ in runs) for jobs, runs in times.items()}


def jobs_rows(work):
    times = four_briefs(work)
    return [("four copies of the sample (12 documents), --jobs 1 / --jobs 2, best of 2 (target >= 1.7x)",
             f"{times[1]:.1f} s / {times[2]:.1f} s = {times[1] / times[2]:.2f}x")]


def speed_rows(work):
    rows = []
    ours, raw = overhead(work)
    ours_gc, raw_gc = overhead(work, collector_paused=False)
    rows += [("sample full brief: our build (CPU time)", f"{ours:.2f} s"),
             ("same HTML, raw WeasyPrint (CPU time)", f"{raw:.2f} s"),
             ("our overhead (target <= 10%)", f"{ours / raw - 1:+.1%}"),
             ("our overhead, garbage collector running", f"{ours_gc / raw_gc - 1:+.1%}"),
             ("share of a build inside WeasyPrint (target >= 90%)", f"{weasyprint_share(work):.1%}")]
    sizes = [long_build(long_brief(work, sections), work) for sections in (18, 35, 70)]
    pages, seconds, memory = sizes[-1]
    sample_pages = build_brief(SAMPLE, ["full"], out_dir=work)[0].pages
    rows += [(f"generated brief: {pages} pages", f"{seconds:.2f} s, peak {memory:.0f} MB (target < 400 MB)"),
             (f"its time / the {sample_pages}-page sample's (target <= 25)", f"{seconds / ours:.1f}x"),
             ("seconds per page at " + ", ".join(f"{p}" for p, _, _ in sizes) + " pages (linear: equal)",
              ", ".join(f"{s / p:.3f}" for p, s, _ in sizes))]
    jobs1, jobs2, separate, noop = forty_documents(work)
    rows += [("40 documents, --jobs 1", f"{jobs1:.1f} s"),
             ("40 documents, --jobs 2", f"{jobs2:.1f} s, {jobs1 / jobs2:.2f}x faster (target >= 1.7x)"),
             ("40 documents, 40 separate commands", f"{separate:.1f} s, {separate / jobs2:.1f}x --jobs 2's (target >= 3x)"),
             ("no-op rebuild of the 40 (target < 0.5 s)", f"{noop:.2f} s"),
             ("watch: rebuild of the sample's 3 variants (target < 1.5 s)", f"{watch_rebuild(work):.2f} s"),
             ("page-budget fit: layouts per variant, sample", str(fit_layouts(work)))]
    return rows


def memory_rows(work):
    first, last = watch_growth(work)
    peak, seconds = many_briefs(work)
    return [("watch: memory after the first build, after 200 rebuilds",
             f"{first:.0f} MB, {last:.0f} MB: {last - first:+.0f} MB (target < 50 MB)"),
            ("500 small briefs, --jobs 2: peak of the process tree (target < 600 MB)", f"{peak:.0f} MB ({seconds:.0f} s)")]


BIB_KINDS = [  # (entry type, fields) cycled through to make a reference manager's export
    ("article", "author = {{Smith, Jane A. and O'Brien, Patrick and Kim, Soo-yeon}}, journaltitle = {{Journal of "
                "Human Rights}}, volume = {{21}}, number = {{3}}, pages = {{245--267}}, date = {{2022-05}}, "
                "doi = {{10.1080/1475483.2022.{n}}}"),
    ("book", "author = {{Lee, Min-ho}}, publisher = {{Oxford University Press}}, location = {{Oxford}}, year = {{2019}}"),
    ("incollection", "author = {{Park, Ji-won}}, editor = {{Brown, Alan and Green, Ruth}}, booktitle = {{Sanctions "
                     "and human rights}}, publisher = {{Routledge}}, pages = {{101--124}}, year = {{2020}}"),
    ("techreport", "author = {{{{International Labour Organization}}}}, institution = {{ILO}}, address = {{Geneva}}, "
                   "year = {{2022}}, url = {{https://www.ilo.org/{n}}}, urldate = {{2026-01-10}}"),
    ("online", "author = {{{{Walk Free}}}}, date = {{2023-03-14}}, url = {{https://example.org/{n}}}, "
               "urldate = {{2026-02-03}}"),
]


def bibtex_export(count=50):
    """A .bib file of `count` entries of the usual kinds, as Better BibTeX writes them."""
    return "\n".join(f"@{kind}{{ref{n},\n  title = {{Entry number {n} on forced labour}},\n  "
                      + fields.format(n=n) + "\n}\n" for n, (kind, fields) in
                      ((n, BIB_KINDS[n % len(BIB_KINDS)]) for n in range(count)))


def bibliography_rows(work):
    """Reading a 50-entry .bib export and formatting it with its 50 citations, in
    APA and IEEE: the first time in a process (imports and style parsing
    included) and warm (median of 11)."""
    from briefgen.content.citations import Cite, format_citations, style_path
    from briefgen.inputs.sources import read_bibtex

    text = bibtex_export(50)

    def once(style):   # CPU time: the machine may be busy with other work
        start = time.process_time()
        entries, problems = read_bibtex(text, "refs.bib")
        assert len(entries) == 50 and not problems, problems
        result = format_citations([entry.item for entry in entries], [[Cite(entry.id)] for entry in entries],
                                  style_path(style, None), "en-US")
        assert len(result.entries) == 50
        return time.process_time() - start

    rows = []
    for style in ("apa", "ieee"):
        first = once(style)
        warm = sorted(once(style) for _ in range(11))[5]
        rows.append((f".bib with 50 entries, read and formatted in {style}, CPU (target < 0.2 s)",
                     f"{first:.3f} s first in a process, {warm:.3f} s warm"))
    return rows


def web_rows(work):
    """What the web edition adds to a brief's build: its build (compose, copy
    the assets and PDFs, write the page) in a warm process, beside the PDFs'."""
    def seconds(**options):
        start = time.perf_counter()
        build_brief(SAMPLE, out_dir=work, **options)
        return time.perf_counter() - start
    pdfs = sorted(seconds() for _ in range(3))[1]            # the PDFs first: the page lists them
    web = sorted(seconds(format="web") for _ in range(RUNS))[RUNS // 2]
    folder = work / SAMPLE.stem
    size = sum(file.stat().st_size for file in folder.rglob("*") if file.is_file())
    return [("sample's 3 PDF variants, warm process (median of 3)", f"{pdfs:.2f} s"),
            (f"web edition: what it adds (median of {RUNS}; target < 0.3 s)", f"{web:.3f} s"),
            ("web edition: the folder (page, assets, PDFs)",
             f"{len(list(folder.rglob('*.*')))} files, {size / 1e6:.1f} MB")]


SERIES = """\
series:
  data: data/places.csv
  key: code
  variants: [summary]
brief:
  title: "Heat and outdoor work in {{ place }}"
  date: 2026-07-01
  summary: >
    In {{ place }}, {{ workers | number }} people work outdoors. Last summer
    brought {{ days }} days over 33 degrees, {{ change | number(1) }} more than
    the average of the three before.
  key_points:
    - "{{ place }} had {{ days }} hot days in 2025."
    - "About {{ share | percent }} of its workers work outdoors."
  recommendations:
    - title: "Set a heat standard for outdoor work in {{ place }}."
      text: "Rest, shade and water above 31 degrees."
  sections:
    - title: Heat days
      content:
        - chart:
            spec: {mark: bar, encoding: {x: {field: year, type: ordinal}, y: {field: days, type: quantitative}}}
            data: data/days.csv
            where: {code: "{{ code }}"}
            caption: "Days over 33 degrees in {{ place }}, 2022 to 2025."
            alt: "Bars of the hot days in {{ place }} each year from 2022 to 2025."
            variants: [summary]
"""


PLAIN_SECTIONS = """  sections:
    - title: Heat days
      content:
        - "{{ place }} counted {{ days }} days over 33 degrees last summer."
"""


def write_series(folder, count, chart=True):
    """A series file and its dataset: `count` places, four years of hot days
    each; without a chart, a plain series (the same text)."""
    (folder / "data").mkdir(parents=True)
    places = ["code,place,workers,days,change,share"]
    days = ["code,year,days"]
    for n in range(count):
        yearly = [(n * 7 + year * 5) % 30 + 10 for year in range(4)]
        places.append(f"P{n:04},Place {n},{1000 + n * 37},{yearly[-1]},{yearly[-1] - sum(yearly[:3]) / 3:.1f},"
                      f"{(n % 40 + 10) / 100}")
        days += [f"P{n:04},{2022 + year},{value}" for year, value in enumerate(yearly)]
    (folder / "data" / "places.csv").write_text("\n".join(places) + "\n", encoding="utf-8")
    (folder / "data" / "days.csv").write_text("\n".join(days) + "\n", encoding="utf-8")
    (folder / "places.yaml").write_text(SERIES if chart else SERIES.split("  sections:")[0] + PLAIN_SECTIONS,
                                        encoding="utf-8")
    return folder / "places.yaml"


def watched_build(command):
    """Seconds of a command, its CPU seconds (its workers' included), samples
    (seconds, pid, RSS in MB) of its worker processes every 50 ms, and the
    command's own peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent, samples, own = psutil.Process(process.pid), [], 0.0
    while process.poll() is None:
        now = time.perf_counter() - start
        try:
            own = max(own, parent.memory_info().rss / 2 ** 20)
            children = parent.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        for child in children:
            try:
                samples.append((now, child.pid, child.memory_info().rss / 2 ** 20))
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.05)
    assert process.returncode == 0, process.returncode
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - start, cpu, samples, own


def series_rows(work, count=1000, jobs=2):
    file = write_series(work, count)
    command = CLI + ["build", str(file), "--jobs", str(jobs), "--out", str(work / "out")]
    load = os.getloadavg()[0]
    seconds, cpu, samples, own = watched_build(command)
    built = len(list((work / "out" / "places").glob("*.pdf")))
    assert built == count, built
    thirds = []
    for part in range(3):
        low, high = seconds * part / 3, seconds * (part + 1) / 3
        thirds.append(max((rss for at, _, rss in samples if low <= at < high), default=0.0))
    workers = len({pid for _, pid, _ in samples})
    noop = whole_process(command)[0]
    places = work / "data" / "places.csv"
    places.write_text(places.read_text(encoding="utf-8").replace("Place 500,", "Place Five Hundred,"), encoding="utf-8")
    one = whole_process(command)[0]
    return [(f"series: {count:,} one-page summaries with a chart, --jobs {jobs} (target < 60 s)",
             f"{seconds:.1f} s, {count / seconds:.1f} per second (load average {load:.1f} at the start)"),
            ("series: CPU time of the command and its workers (/ 2 cores: the time on an idle machine)",
             f"{cpu:.1f} s ({cpu / 2:.1f} s)"),
            ("series: peak RSS of a worker, first / middle / last third of the run (target < 300 MB, flat)",
             " / ".join(f"{peak:.0f} MB" for peak in thirds) + f" ({workers} worker processes in all)"),
            ("series: the command's own process, peak RSS", f"{own:.0f} MB"),
            ("series: rebuild, nothing changed", f"{noop:.1f} s"),
            ("series: rebuild, one row changed", f"{one:.1f} s"),
            plain_series_row(work / "plain", jobs=jobs)]


def plain_series_row(work, count=200, jobs=2):
    """200 one-pagers of a plain series (no chart), `--variant summary`."""
    work.mkdir()
    file = write_series(work, count, chart=False)
    command = CLI + ["build", str(file), "--variant", "summary", "--jobs", str(jobs), "--out", str(work / "out")]
    load = os.getloadavg()[0]
    seconds, cpu = whole_process(command)
    assert len(list((work / "out" / "places").glob("*.pdf"))) == count
    return (f"series: {count} plain one-pagers, -v summary, --jobs {jobs} (target < 12 s)",
            f"{seconds:.1f} s, CPU {cpu:.1f} s (load average {load:.1f} at the start)")


class PhaseTimes:
    """CPU seconds spent in each phase of the builds made while it is on:
    functions of the build wrapped by name (module, attribute, phase)."""
    WRAPPED = [("briefgen.build.rows", "check_row", "check (validate the filled row)"),
               ("briefgen.build.document", "_draw", "draw (charts)"),
               ("briefgen.build.document", "_compose", "compose (Jinja)"),
               ("briefgen.writers.pdf", "layout", "layout (WeasyPrint, every layout the fit tries)"),
               ("briefgen.writers.pdf", "write_pdf", "write (WeasyPrint: paint, fonts, PDF)")]

    def __init__(self):
        self.seconds = {phase: 0.0 for _, _, phase in self.WRAPPED}
        self.saved = []

    def __enter__(self):
        import importlib
        for module_name, name, phase in self.WRAPPED:
            module = importlib.import_module(module_name)
            original = getattr(module, name)
            self.saved.append((module, name, original))
            setattr(module, name, self._timed(original, phase))
        return self

    def _timed(self, function, phase):
        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[phase] += time.process_time() - start
        return timed

    def __exit__(self, *exc):
        for module, name, original in self.saved:
            setattr(module, name, original)


def series_phases(work, count=40, warm=5, chart=True):
    """CPU time per page of a series' one-pagers, built one after another in
    this process (as a warm worker builds them), split by phase; and raw
    WeasyPrint's CPU time per page writing the same final HTML (same options)."""
    from weasyprint import HTML
    from briefgen.build.manifest import Manifest
    from briefgen.build.rows import build_row
    from briefgen.build.series import load_series, plan_rows

    file = write_series(work, count + warm, chart)
    options = Options(out_dir=work / "out" / "places", keep_html=True)
    series = load_series(file, Options())
    plans, _ = plan_rows(series, options, Manifest(options.out_dir), True)
    tasks = [plan.task for plan in plans]
    for task in tasks[:warm]:
        assert build_row(task, "summary", options).status == "built"
    phases, total, pages = PhaseTimes(), 0.0, 0
    with phases:
        for task in tasks[warm:]:
            start = time.process_time()
            row = build_row(task, "summary", options)
            total += time.process_time() - start
            assert row.status == "built", row.problems
            pages += row.pages
    raw, base = 0.0, file.parent.resolve().as_uri() + "/"
    for task in tasks[warm:]:
        html = (options.out_dir / f"{task.key}-summary.html").read_text(encoding="utf-8")
        start = time.process_time()
        HTML(string=html, base_url=base).render(**PDF_OPTIONS, custom_metadata=True).write_pdf(
            work / "raw.pdf", **PDF_OPTIONS, custom_metadata=True)
        raw += time.process_time() - start
    return phases.seconds, total, raw, pages


def phase_rows(work):
    rows = []
    for chart in (True, False):
        name = "with a chart" if chart else "plain"
        phases, total, raw, pages = series_phases(work / name, chart=chart)
        rows.append((f"series one-pagers {name}: CPU per page, ours / raw WeasyPrint on the same HTML",
                     f"{total / pages * 1000:.0f} ms / {raw / pages * 1000:.0f} ms = {total / raw:.2f}x"))
        rows += [(f"  {phase}", f"{seconds / pages * 1000:.0f} ms") for phase, seconds in phases.items()]
        rows.append(("  the rest (fit and page checks, theme, writers)",
                     f"{(total - sum(phases.values())) / pages * 1000:.0f} ms"))
    return rows


def sample_copy(folder):
    """The sample and the files it names, in a folder of their own (edits
    must not touch the repository's)."""
    folder.mkdir(parents=True)
    for name in ("figures", "data"):
        shutil.copytree(SAMPLE.parent / name, folder / name)
    _copy_bibliography(folder)
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    return folder / SAMPLE.name


EDIT = ("North Korea is consistently ranked", "North Korea is persistently ranked")   # in the summary's text


def edit_to_pdf(command, brief, pdfs, edits=5):
    """For each of `edits` edits of the brief, saved while `command` (watch or
    serve) runs: the seconds from the save to each PDF being replaced (atomic
    writes: a new file), and the CPU seconds its process tree spent by then.
    The next edit waits for the build to report it is done (a line with
    "built" in it) and for the PDFs to stand still."""
    import threading
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=USER_ENVIRONMENT)
    reports = []
    threading.Thread(target=lambda: [reports.append(line) for line in process.stdout if "built" in line],
                     daemon=True).start()
    tree = psutil.Process(process.pid)
    try:
        _wait(lambda: len(reports) >= 1 and all(_stamp(pdf) for pdf in pdfs), 600)
        times = {pdf.name: [] for pdf in pdfs}
        for n in range(edits):
            time.sleep(0.5)
            done, before, cpu = len(reports), {pdf: _stamp(pdf) for pdf in pdfs}, _tree_cpu(tree)
            old, new = EDIT if n % 2 == 0 else EDIT[::-1]
            brief.write_text(brief.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
            saved, waiting = time.perf_counter(), set(pdfs)
            while waiting and time.perf_counter() - saved < 300:
                for pdf in [pdf for pdf in waiting if _stamp(pdf) != before[pdf]]:
                    times[pdf.name].append((time.perf_counter() - saved, _tree_cpu(tree) - cpu))
                    waiting.discard(pdf)
                time.sleep(0.005)
            _wait(lambda: len(reports) > done, 300)
        return times
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait(condition, seconds):
    deadline = time.perf_counter() + seconds
    while not condition():
        assert time.perf_counter() < deadline, "timed out"
        time.sleep(0.05)


def _stamp(pdf):
    try:
        status = os.stat(pdf)
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns


def _tree_cpu(process):
    """User and system CPU seconds of a process and its descendants (alive)."""
    total = 0.0
    for member in [process, *process.children(recursive=True)]:
        try:
            times = member.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _median_best(found):
    if not found:
        return "not rebuilt"
    walls, cpus = sorted(wall for wall, _ in found), sorted(cpu for _, cpu in found)
    return (f"wall {walls[len(walls) // 2]:.2f} s / {walls[0]:.2f} s, "
            f"CPU of the process tree {cpus[len(cpus) // 2]:.2f} s / {cpus[0]:.2f} s")


def edit_rows(work):
    """Watch and serve: an edit of the sample's summary text, saved, to the
    new one-pager and the new full brief on disk (median and best of 5)."""
    rows = [("load average at the start (1, 5, 15 min)", ", ".join(f"{load:.1f}" for load in os.getloadavg()))]
    for variant, target in (("summary", 0.4), ("full", 1.5)):
        brief = sample_copy(work / f"watch-{variant}")
        pdf = work / f"watch-{variant}-out" / f"{SAMPLE.stem}-{variant}.pdf"
        [found] = edit_to_pdf(CLI + ["watch", str(brief), "-v", variant, "--out", str(pdf.parent)], brief,
                              [pdf]).values()
        rows.append((f"watch -v {variant}: edit saved to new PDF, median / best of 5 (target < {target} s wall)",
                     _median_best(found)))
    brief = sample_copy(work / "serve")
    pdfs = [work / "serve-out" / f"{SAMPLE.stem}-{variant}.pdf" for variant in ("summary", "full")]
    found = edit_to_pdf(CLI + ["serve", str(brief), "--out", str(pdfs[0].parent), "--port", "0"], brief, pdfs)
    for variant, pdf in zip(("summary", "full"), pdfs):
        rows.append((f"serve (web edition and all 3 variants on 2 workers): edit saved to new {variant} PDF",
                     _median_best(found[pdf.name])))
    return rows


def french_edition(work):
    """The sample as a French edition (`<stem>.fr.yaml`) beside its original, in
    a copy of briefs/: the same content with `language: fr`, so the two builds
    differ only in what the language changes (labels, hyphenation, locales)."""
    folder = work / "briefs"
    shutil.copytree(SAMPLE.parent, folder, dirs_exist_ok=True)
    edition = folder / f"{SAMPLE.stem}.fr.yaml"
    edition.write_text(SAMPLE.read_text(encoding="utf-8").replace("\nlanguage: en-GB\n", "\nlanguage: fr\n", 1),
                       encoding="utf-8")
    return folder / SAMPLE.name, edition


def edition_rows(work, runs=3):
    """The sample's full brief in English and in French, side by side (best of
    runs, wall-clock, interleaved so both see the same machine)."""
    english, french = french_edition(work)
    times = {english: [], french: []}
    for _ in range(runs):
        for brief in times:
            start = time.perf_counter()
            build_brief(brief, ["full"], out_dir=work / "out")
            times[brief].append(time.perf_counter() - start)
    en, fr = min(times[english]), min(times[french])
    return [("sample full brief, English | French edition", f"{en:.2f} s | {fr:.2f} s"),
            ("French / English (target <= 1.3x)", f"{fr / en:.2f}x")]


SECTIONS = {"processes": whole_process_rows, "jobs": jobs_rows, "phases": phase_rows, "edits": edit_rows,
            "speed": speed_rows, "memory": memory_rows, "charts": chart_rows,
            "bibliography": bibliography_rows, "web": web_rows, "series": series_rows, "editions": edition_rows}


def main(sections):
    """Run the sections named (default: all), printing each one's figures as it ends."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Benchmark on {sys.platform}, Python {sys.version.split()[0]}, {os.cpu_count()} cores; "
          f"load average {load} (1, 5, 15 min; over the core count: a busy machine, wall-clock figures inflated)",
          flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for name in sections or SECTIONS:
            work = Path(folder) / name
            work.mkdir()
            rows = SECTIONS[name](work)
            width = max(len(label) for label, _ in rows)
            for label, value in rows:
                print(f"  {label:<{width}}  {value}", flush=True)


if __name__ == "__main__":
    unknown = [name for name in sys.argv[1:] if name not in SECTIONS]
    if unknown:
        sys.exit(f"unknown section {unknown[0]}; the sections: {', '.join(SECTIONS)}")
    main(sys.argv[1:])
