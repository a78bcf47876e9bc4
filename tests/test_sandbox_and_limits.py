"""Attacks from issue 10, really attempted: a hostile theme's templates
(sandbox escapes, files outside the theme), and inputs meant to hang or
exhaust the build (FIFOs, hard links, huge CSV, YAML alias bombs, runaway
template loops, SVG <use> bombs, huge images referenced from an SVG).
Each ends fast with one line naming the file and line; each test has its own
timeout."""

import os
import struct
import subprocess
import sys
import time
import zlib

import pytest
from PIL import Image

from briefgen.build.document import Options
from briefgen.inputs.tabular import read_table
from briefgen.build.watch import watch_brief
from conftest import FIGURE, MINIMAL_BRIEF, ROOT, run_cli, write_brief

CANARY = "CANARY-7f3a9c-not-for-any-output"


def brief_with(folder, extra="", content="[Some text.]", theme=None):
    text = MINIMAL_BRIEF.replace("[Some text.]", content) + extra
    if theme:
        text += f"theme: {theme}\n"
    return write_brief(folder, text)


# --- a hostile theme -----------------------------------------------------------

@pytest.fixture
def hostile(tmp_path):
    """A brief carrying its own theme, whose cover partial line 2 is the payload;
    a canary file outside the theme that no output may contain."""
    canary = tmp_path / "canary.txt"
    canary.write_text(CANARY, encoding="utf-8")
    folder = tmp_path / "brief"
    partials = folder / "theme" / "templates" / "partials"
    partials.mkdir(parents=True)
    brief = brief_with(folder, theme="theme")
    marker = tmp_path / "marker"

    def write(payload):
        cover = partials / "cover.html"
        cover.write_text("<section class=cover>\n" + payload.replace("MARKER", str(marker)) + "\n</section>\n",
                         encoding="utf-8")
        return cover

    return {"brief": brief, "write": write, "marker": marker, "canary": canary, "partials": partials,
            "out": tmp_path / "out"}


UNSAFE = "access to attribute '{}' of '{}' object is unsafe."
PAYLOADS = {
    "lipsum": ('{{ lipsum.__globals__["os"].popen("touch MARKER").read() }}', "'lipsum' is undefined"),
    "str-mro": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", UNSAFE.format("__class__", "str")),
    "cycler": ('{{ cycler.__init__.__globals__.os.popen("touch MARKER").read() }}',
               UNSAFE.format("__init__", "StrictUndefined")),
    "joiner": ('{{ joiner.__init__.__globals__.os.popen("touch MARKER").read() }}',
               UNSAFE.format("__init__", "StrictUndefined")),
    "namespace": ('{% set ns = namespace() %}{{ ns.__init__.__globals__.os.popen("touch MARKER") }}',
                  "'namespace' is undefined"),
    "template-reference": ('{{ self._TemplateReference__context.lipsum.__globals__.os.popen("touch MARKER") }}',
                           UNSAFE.format("_TemplateReference__context", "TemplateReference")),
    "range": ("{% for i in range(10**10) %}x{% endfor %}", "'range' is undefined"),
    "include-absolute": ('{% include "/etc/passwd" %}',
                         "template '/etc/passwd' not found in the theme's templates/ folders"),
    "include-parent": ('{% include "../../../etc/passwd" %}',
                       "template '../../../etc/passwd' not found in the theme's templates/ folders"),
    "list-append": ("{{ brief.sections.append(1) }}", UNSAFE.format("append", "list")),
    "str-format": ('{{ "{:>999999999}".format(1) }}', "is not safely callable"),
}


def expected(cover, message):
    return f"{cover}:2: template error: {message}"


def assert_refused(result, line, hostile):
    assert result.exit_code == 1, result.output
    if line.endswith("is not safely callable"):   # the refused object's repr comes first
        assert result.stderr.startswith(line.split(": template error: ")[0] + ": template error: <")
        assert result.stderr.strip().endswith(line.split(": template error: ")[1])
    else:
        assert result.stderr.strip() == line
    assert "Traceback" not in result.output
    assert not hostile["marker"].exists()
    assert CANARY not in result.output
    assert not hostile["out"].exists() or not any(hostile["out"].glob("*.pdf"))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("attack", list(PAYLOADS))
def test_a_hostile_partial_is_refused(hostile, attack, command):
    payload, message = PAYLOADS[attack]
    cover = hostile["write"](payload)
    args = [command, hostile["brief"]] + (["-v", "full", "--out", hostile["out"], "--jobs", "1"] if command == "build" else [])
    assert_refused(run_cli(*args), expected(cover, message), hostile)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_template_cannot_call_methods_of_a_path(hostile, command):
    """The brand's logo is a Path: its read_text() would read any file."""
    styles = hostile["partials"].parent.parent / "styles"
    styles.mkdir()
    (styles / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', encoding="utf-8")
    (styles / "_brand.yml").write_text("logo: logo.svg\n", encoding="utf-8")
    build = ["-v", "full", "--out", hostile["out"], "--jobs", "1"] if command == "build" else []
    cover = hostile["write"]("{{ brand.logo.read_text() }}")
    result = run_cli(command, hostile["brief"], *build)
    assert_refused(result, expected(cover, "is not safely callable"), hostile)
    assert f"<bound method Path.read_text of PosixPath('{styles / 'logo.svg'}')>" in result.stderr
    cover = hostile["write"]('{{ brand.logo.parent.joinpath("../../../canary.txt").read_text() }}')
    result = run_cli(command, hostile["brief"], *build)
    assert_refused(result, expected(cover, "is not safely callable"), hostile)
    assert "<bound method PurePath.joinpath of PosixPath(" in result.stderr


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("kind", ["symlink", "hard link", "fifo"])
def test_a_partial_may_not_be_a_link_or_a_fifo(hostile, command, kind):
    cover = hostile["write"]('{% include "partials/evil.html" %}')
    evil = hostile["partials"] / "evil.html"
    if kind == "symlink":
        evil.symlink_to(hostile["canary"])
        reason = "is outside the theme's templates/ folder"
    elif kind == "hard link":
        os.link(hostile["canary"], evil)
        reason = ("has 2 hard links, so it may be a file outside the theme's templates/ folder: "
                  "copy it instead of linking it")
    else:
        os.mkfifo(evil)
        reason = "is a FIFO (named pipe), not a regular file"
    args = [command, hostile["brief"]] + (["-v", "full", "--out", hostile["out"], "--jobs", "1"] if command == "build" else [])
    assert_refused(run_cli(*args), expected(cover, f"'partials/evil.html' {reason}"), hostile)


@pytest.mark.timeout(120)
def test_watch_reports_each_hostile_edit_and_keeps_the_good_pdfs(hostile, capsys):
    """One watch session; each change rewrites the partial with the next payload."""
    hostile["write"]("<h1>{{ brief.title }}</h1>")
    attacks = ["lipsum", "cycler", "template-reference", "include-parent"]
    seen = {}

    def changes():
        for attack in attacks:
            capsys.readouterr()
            cover = hostile["write"](PAYLOADS[attack][0])
            yield {("modified", str(cover))}
            seen[attack] = capsys.readouterr().err
    watch_brief(hostile["brief"], Options(out_dir=hostile["out"]), jobs=1, changes=changes())
    good = sorted(path.name for path in hostile["out"].glob("*.pdf"))
    assert good == ["brief-full.pdf", "brief-memo.pdf", "brief-summary.pdf"]
    cover = hostile["partials"] / "cover.html"
    for attack in attacks:
        problem = [line for line in seen[attack].splitlines() if not line[:2].isdigit()]
        # the full variant includes the cover; memo and summary do not
        assert problem == [expected(cover, PAYLOADS[attack][1])], seen[attack]
        assert "Traceback" not in seen[attack]
    assert not hostile["marker"].exists()
    assert all(CANARY.encode() not in (hostile["out"] / name).read_bytes() for name in good)


def test_check_composes_every_variant_of_the_theme(hostile, tmp_path):
    """A template error in a variant the build was not asked for still fails check."""
    variants = hostile["partials"].parent / "variants"
    variants.mkdir()
    (variants / "leaflet.html").write_text('{% extends "base.html" %}\n{% block body %}\n{{ brief.nothing }}\n'
                                           "{% endblock %}\n", encoding="utf-8")
    result = run_cli("check", hostile["brief"])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{variants / 'leaflet.html'}:3: template error: 'dict object' has no attribute 'nothing'"


# --- output of a template, bounded --------------------------------------------

@pytest.mark.timeout(60)
@pytest.mark.parametrize("loop, where", [
    ("{% for i in brief.title * 10000 %}{% for j in brief.title * 10000 %}{{ i }}{% endfor %}{% endfor %}", "print"),
    ("{% for i in brief.title * 10000 %}{% for j in brief.title * 10000 %}x{% endfor %}{% endfor %}", "text"),
    ('{% set all %}{% for i in "ab" * 5000 %}{% for j in "ab" * 5000 %}{{ j }}{% endfor %}{% endfor %}{% endset %}'
     "{{ all }}", "captured"),
])
def test_a_template_printing_10_to_the_8_items_stops_fast(tmp_path, loop, where):
    """10^8 pieces of output would take minutes and gigabytes; the bound stops it in seconds."""
    folder = tmp_path / "brief"
    (folder / "theme" / "templates" / "partials").mkdir(parents=True)
    cover = folder / "theme" / "templates" / "partials" / "cover.html"
    cover.write_text("<section>\n" + loop + "\n</section>\n", encoding="utf-8")
    brief = write_brief(folder, MINIMAL_BRIEF.replace("A minimal brief", "T") + "theme: theme\n")
    start = time.perf_counter()
    result = run_cli("check", brief)
    assert time.perf_counter() - start < 20
    assert result.exit_code == 1
    assert result.stderr.strip() == expected(cover, "the template's output is over 20 MB or 500,000 pieces; "
                                                    "is a loop running away?")


@pytest.mark.timeout(60)
def test_a_template_looping_without_output_stops_at_the_deadline_in_check_too(tmp_path):
    """10^8 turns of a loop that prints nothing: no output bound applies, the deadline does."""
    folder = tmp_path / "brief"
    (folder / "theme" / "templates" / "partials").mkdir(parents=True)
    (folder / "theme" / "templates" / "partials" / "cover.html").write_text(
        "{% for i in brief.title * 10000 %}{% for j in brief.title * 10000 %}{% endfor %}{% endfor %}\n",
        encoding="utf-8")
    brief = write_brief(folder, MINIMAL_BRIEF.replace("A minimal brief", "T") + "theme: theme\n")
    start = time.perf_counter()
    result = run_cli("check", brief, "--time-limit", "2")
    assert time.perf_counter() - start < 10
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{brief}:1: took longer than 2 s (--time-limit)"


@pytest.mark.timeout(30)
def test_string_repetition_in_a_template_is_bounded(hostile):
    cover = hostile["write"]("{{ 'x' * 100000000 }}")
    assert_refused(run_cli("check", hostile["brief"]),
                   expected(cover, "'*' would make 100,000,000 items; templates may make at most 100,000"), hostile)


# --- special files, hard links -------------------------------------------------

TABLE = "\n      - Some text.\n      - table:\n          caption: Data\n          csv: {csv}\n"


def check_line(brief):
    result = run_cli("check", brief)
    assert result.exit_code == 1 and "Traceback" not in result.output
    return result.stderr.strip()


@pytest.mark.timeout(30)
def test_a_fifo_is_refused_wherever_a_file_is_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.png")
    os.mkfifo(tmp_path / "pipe.csv")
    brief = brief_with(tmp_path, FIGURE.format(image="pipe.png"), content=TABLE.format(csv="pipe.csv"))
    result = run_cli("check", brief)
    assert result.stderr.splitlines() == [
        f"{brief}:11: sections[0].content[1].table.csv: 'pipe.csv' is a FIFO (named pipe), not a regular file",
        f"{brief}:16: sections[1].content[0].figure.image: 'pipe.png' is a FIFO (named pipe), not a regular file"]
    svg = tmp_path / "chart.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                   '<image xlink:href="pipe.png" width="4" height="4"/></svg>', encoding="utf-8")
    brief = brief_with(tmp_path, FIGURE.format(image="chart.svg"))
    assert check_line(brief) == (f"{brief}:11: sections[1].content[0].figure.image: 'chart.svg' refers to an "
                                 "image that cannot be used: 'pipe.png' is a FIFO (named pipe), not a regular file")
    os.mkfifo(tmp_path / "pipe.yaml")
    assert check_line(tmp_path / "pipe.yaml") == f"{tmp_path / 'pipe.yaml'}:1: the file is a FIFO (named pipe), not a regular file"


@pytest.mark.timeout(30)
def test_a_hard_link_to_a_file_outside_is_refused(tmp_path):
    (tmp_path / "brief").mkdir()
    outside = tmp_path / "secret.csv"
    outside.write_text("Secret,Value\nkey,42\n", encoding="utf-8")
    os.link(outside, tmp_path / "brief" / "data.csv")
    brief = brief_with(tmp_path / "brief", content=TABLE.format(csv="data.csv"))
    assert check_line(brief) == (f"{brief}:11: sections[0].content[1].table.csv: 'data.csv' has 2 hard links, so it "
                                 "may be a file outside the brief's folder: copy it instead of linking it")


# --- CSV -------------------------------------------------------------------------

@pytest.mark.timeout(30)
def test_a_15_mb_csv_is_refused_before_reading(tmp_path):
    with open(tmp_path / "big.csv", "wb") as handle:
        handle.write(b"A,B\n1,2\n")
        handle.truncate(15 * 2**20)
    brief = brief_with(tmp_path, content=TABLE.format(csv="big.csv"))
    start = time.perf_counter()
    assert check_line(brief) == f"{brief}:11: sections[0].content[1].table.csv: 'big.csv' is 15 MB; CSV files may have at most 5 MB"
    assert time.perf_counter() - start < 5


@pytest.mark.timeout(30)
def test_a_csv_over_5000_rows_is_refused(tmp_path):
    (tmp_path / "long.csv").write_text("A,B\n" + "".join(f"{n},x\n" for n in range(6000)), encoding="utf-8")
    (tmp_path / "fits.csv").write_text("A,B\n" + "".join(f"{n},x\n" for n in range(5000)), encoding="utf-8")
    brief = brief_with(tmp_path, content=TABLE.format(csv="long.csv"))
    assert check_line(brief) == (f"{brief}:11: sections[0].content[1].table.csv: long.csv has over 5,000 rows; "
                                 "a table in a brief may have at most 5,000")
    assert len(read_table(tmp_path, {"csv": "fits.csv"})) == 5001


def csv_brief(tmp_path, data, fields=""):
    (tmp_path / "data.csv").write_bytes(data)
    return brief_with(tmp_path, content=TABLE.format(csv="data.csv") + fields)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_the_csv_delimiter_is_detected(tmp_path, delimiter):
    rows = [["Région", "Workers", "Share"], ["Nord", "1,200", "12%"], ["Süd", "300", "3%"]]
    text = "\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows) + "\n"
    brief = csv_brief(tmp_path, text.encode("utf-8"))
    assert run_cli("check", brief).exit_code == 0
    assert read_table(tmp_path, {"csv": "data.csv"}) == rows


@pytest.mark.timeout(30)
def test_a_one_column_table_whose_header_has_semicolons_says_which_delimiter_to_set(tmp_path):
    brief = csv_brief(tmp_path, b"Region;Workers\nNord;1200\n", "          delimiter: ','\n")
    assert check_line(brief) == (f"{brief}:11: sections[0].content[1].table.csv: data.csv is read with delimiter ',', "
                                 "but its header contains ';': set delimiter: ';' on the table")
    brief = csv_brief(tmp_path, b"Region\tWorkers\nNord\n")  # ragged: nothing to detect
    assert check_line(brief) == (f"{brief}:11: sections[0].content[1].table.csv: data.csv was read as one column with "
                                 "delimiter ',', but its header contains '\\t' (tab): set delimiter: \"\\t\" on the table")
    brief = csv_brief(tmp_path, b"Region;Workers\nNord;1200\n", "          delimiter: ';'\n")
    assert run_cli("check", brief).exit_code == 0


@pytest.mark.timeout(30)
def test_a_windows_1252_csv_says_to_save_as_utf8_or_set_the_encoding(tmp_path):
    data = "Région;Valeur\nÎle-de-France;3\n".encode("cp1252")
    brief = csv_brief(tmp_path, data)
    assert check_line(brief) == (f"{brief}:11: sections[0].content[1].table.csv: data.csv is not UTF-8 (line 1; it "
                                 "looks like Windows-1252): save it as 'CSV UTF-8' or set encoding: cp1252")
    brief = csv_brief(tmp_path, data, "          encoding: cp1252\n")
    assert run_cli("check", brief).exit_code == 0
    assert read_table(tmp_path, {"csv": "data.csv", "encoding": "cp1252"})[1] == ["Île-de-France", "3"]
    brief = csv_brief(tmp_path, data, "          encoding: klingon\n")
    assert check_line(brief) == (f"{brief}:11: sections[0].content[1].table.csv: encoding: 'klingon' is not a text "
                                 "encoding (try utf-8, cp1252 or latin-1)")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("header", [b"Region,,Share", b"Region,   ,Share"])
def test_an_empty_csv_header_cell_is_an_error(tmp_path, header):
    brief = csv_brief(tmp_path, header + b"\nNord,1,2\n")
    assert check_line(brief) == (f"{brief}:11: sections[0].content[1].table.csv: data.csv column 2 has an empty header; "
                                 "a column needs a header, for readers who cannot see the table")


# --- YAML --------------------------------------------------------------------------

@pytest.mark.timeout(30)
def test_a_yaml_alias_bomb_of_a_1_mb_scalar_fails_fast(tmp_path):
    """1,000 aliases of a 1 MB scalar: 1 GB of markdown if they were expanded."""
    aliases = ", ".join(["*big"] * 1000)
    text = MINIMAL_BRIEF.replace("The summary.", "&big " + "x" * 2**20).replace("[Some text.]", f"[{aliases}]")
    brief = write_brief(tmp_path, text)
    start = time.perf_counter()
    assert check_line(brief) == (f"{brief}:3: sections[0].content[2]: the text adds up to over 4 MB once YAML aliases "
                                 "are expanded; a brief is far smaller")
    assert time.perf_counter() - start < 5


# --- SVG and images ------------------------------------------------------------------

def use_bomb(levels=8, fan=10):
    """10^8 rectangles once the <use> elements are expanded, in a 2 kB file."""
    groups = ['<g id="l0"><rect width="1" height="1"/></g>'] + [
        f'<g id="l{n}">' + f'<use href="#l{n - 1}"/>' * fan + "</g>" for n in range(1, levels + 1)]
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>' + "".join(groups)
            + f'</defs><use href="#l{levels}"/></svg>')


@pytest.mark.timeout(30)
def test_an_svg_use_bomb_is_refused(tmp_path):
    (tmp_path / "bomb.svg").write_text(use_bomb(), encoding="utf-8")
    brief = brief_with(tmp_path, FIGURE.format(image="bomb.svg"))
    assert check_line(brief) == (f"{brief}:11: sections[1].content[0].figure.image: 'bomb.svg' has over 50,000 "
                                 "elements once its <use> elements are expanded")
    (tmp_path / "loop.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>',
                                       encoding="utf-8")
    brief = brief_with(tmp_path, FIGURE.format(image="loop.svg"))
    assert check_line(brief).endswith("'loop.svg' has a <use> element that refers to itself")


def png_claiming(width, height):
    """A PNG signature and header for a size, and the start of pixel data that
    ends at once: only a header check can judge it, a decode fails."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)))


def make_huge_images(folder):
    """A 2 GB sparse PNG and a real (decodable) 144-megapixel PNG."""
    with open(folder / "sparse.png", "wb") as handle:
        handle.write(png_claiming(100, 100))
        handle.truncate(2 * 2**30)
    Image.new("1", (12000, 12000)).save(folder / "huge.png")  # decoded as RGB it would take 432 MB
    (folder / "claims.png").write_bytes(png_claiming(12000, 12000))


SVG_WITH = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" '
            'height="10"><image xlink:href="{}" width="10" height="10"/></svg>')


@pytest.mark.timeout(60)
@pytest.mark.parametrize("image, reason", [
    ("sparse.png", "is 2048 MB; images may have at most 20 MB"),
    ("huge.png", "is 12000 x 12000 pixels; images may have at most 40 million"),
    ("claims.png", "is 12000 x 12000 pixels; images may have at most 40 million"),
])
def test_images_referenced_from_an_svg_are_checked_before_decoding(tmp_path, image, reason):
    make_huge_images(tmp_path)
    (tmp_path / "chart.svg").write_text(SVG_WITH.format(image), encoding="utf-8")
    brief = brief_with(tmp_path, FIGURE.format(image="chart.svg"))
    assert check_line(brief) == (f"{brief}:11: sections[1].content[0].figure.image: 'chart.svg' refers to an image "
                                 f"that cannot be used: '{image}' {reason}")


PEAK_RSS = """
import resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
sys.stderr.write(result.stderr)
print(result.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.mark.timeout(150)
@pytest.mark.parametrize("image, reason", [
    ("sparse.png", "is 2048 MB; images may have at most 20 MB"),
    ("huge.png", "is 12000 x 12000 pixels; images may have at most 40 million"),
])
def test_the_layout_refuses_huge_images_inside_a_theme_svg_with_little_memory(tmp_path, image, reason):
    """A theme's SVG is not validated like a brief's figure: the fetcher checks what
    it serves. The build runs in a child process whose peak memory is measured."""
    theme = tmp_path / "theme"
    (theme / "styles").mkdir(parents=True)
    make_huge_images(theme / "styles")
    (theme / "styles" / "mark.svg").write_text(SVG_WITH.format(image), encoding="utf-8")
    (theme / "styles" / "brief.css").write_text(".cover { background: url(mark.svg) no-repeat; }", encoding="utf-8")
    brief = write_brief(tmp_path)
    command = [sys.executable, str(ROOT / "generate.py"), "build", str(brief), "--theme", str(theme), "-v", "full",
               "--out", str(tmp_path / "out"), "--jobs", "1"]
    measured = subprocess.run([sys.executable, "-c", PEAK_RSS, *command], capture_output=True, text=True, timeout=140)
    returncode, peak_kb = map(int, measured.stdout.split())
    assert returncode == 1
    assert f"resource refused: '{theme / 'styles' / image}' {reason}" in measured.stderr
    assert "Traceback" not in measured.stderr
    assert peak_kb < 300 * 1024
    assert not (tmp_path / "out" / "brief-full.pdf").exists()


@pytest.mark.timeout(150)
def test_a_theme_image_in_a_format_the_fetcher_does_not_open_is_bounded_by_pillow_itself(tmp_path):
    """A TIFF (which the fetcher leaves to Pillow) of 144 million pixels in 20 kB:
    Pillow, bounded by files.py for the whole process, refuses to open it."""
    theme = tmp_path / "theme"
    (theme / "styles").mkdir(parents=True)
    Image.new("1", (12000, 12000)).save(theme / "styles" / "huge.tiff", compression="group4")
    (theme / "styles" / "brief.css").write_text(".cover { background: url(huge.tiff) no-repeat; }", encoding="utf-8")
    command = [sys.executable, str(ROOT / "generate.py"), "build", str(write_brief(tmp_path)), "--theme", str(theme),
               "-v", "full", "--out", str(tmp_path / "out"), "--jobs", "1"]
    measured = subprocess.run([sys.executable, "-c", PEAK_RSS, *command], capture_output=True, text=True, timeout=140)
    returncode, peak_kb = map(int, measured.stdout.split())
    assert returncode == 1
    [line] = [line for line in measured.stderr.splitlines() if "huge.tiff" in line]
    assert line.startswith(f"{tmp_path / 'brief.yaml'}:1: Failed to load image at ") and "exceeds limit" in line
    assert "Traceback" not in measured.stderr
    assert peak_kb < 300 * 1024
    assert not (tmp_path / "out" / "brief-full.pdf").exists()


@pytest.mark.timeout(90)
def test_the_layout_refuses_a_use_bomb_from_the_theme(tmp_path):
    """In a child process: drawing 10^8 elements would outlast any test."""
    theme = tmp_path / "theme"
    (theme / "styles").mkdir(parents=True)
    (theme / "styles" / "bomb.svg").write_text(use_bomb(), encoding="utf-8")
    (theme / "styles" / "brief.css").write_text(".cover { background: url(bomb.svg); }", encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "generate.py"), "build", str(write_brief(tmp_path)),
                             "--theme", str(theme), "-v", "full", "--out", str(tmp_path / "out"), "--jobs", "1"],
                            capture_output=True, text=True, timeout=80)
    assert result.returncode == 1
    assert (f"resource refused: '{theme / 'styles' / 'bomb.svg'}' has over 50,000 elements once its <use> "
            "elements are expanded") in result.stderr
