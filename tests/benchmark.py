"""Where a build of the sample spends its time (not part of the test run).

    .venv/bin/python tests/benchmark.py

Profiles the real pipeline (generate.build_brief) on the sample's full brief in
one warm process and prints the time spent inside WeasyPrint's layout
(HTML.render) and PDF writing (Document.write_pdf) against the whole build.
"""

import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generate  # noqa: E402

SAMPLE = generate.SAMPLE_BRIEFS_DIR / "north-korea-trafficking.yaml"
RUNS = 3


def cumulative(stats, module_suffix, function):
    return sum(entry[3] for (file, _, name), entry in stats.stats.items()
               if name == function and file.endswith(module_suffix))


def main():
    with tempfile.TemporaryDirectory() as out_dir:
        generate.build_brief(SAMPLE, ["full"], out_dir=out_dir)  # warm: imports, fonts, caches
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(RUNS):
            generate.build_brief(SAMPLE, ["full"], out_dir=out_dir)
        profile.disable()
    stats = pstats.Stats(profile)
    total = cumulative(stats, "generate.py", "build_brief")
    layout = cumulative(stats, "weasyprint/__init__.py", "render")
    writing = cumulative(stats, "weasyprint/document.py", "write_pdf")
    rows = [("WeasyPrint layout (HTML.render)", layout),
            ("WeasyPrint writing (write_pdf)", writing),
            ("everything else (our code)", total - layout - writing),
            ("whole build (build_brief)", total)]
    print(f"Sample full brief, {RUNS} warm builds under cProfile, seconds per build")
    for label, seconds in rows:
        print(f"  {label:<34}{seconds / RUNS:>7.3f}{seconds / total:>8.1%}")
    print(f"inside WeasyPrint: {(layout + writing) / total:.1%} (target: at least 90%)")


if __name__ == "__main__":
    main()
