"""WeasyPrint imported without its slow search for its C libraries.

WeasyPrint opens each of its C libraries (GObject, Pango, HarfBuzz,
Fontconfig, ...) by trying up to six names, one per platform. For every
name the system does not take, cffi asks ctypes.util.find_library, which
on Linux runs `ldconfig -p`, then gcc, then ld: about 10 ms a name, 22
names, 0.15 s of a one-page build's 1 s (`tests/benchmark.py processes`).

Without LD_LIBRARY_PATH, only ldconfig's answer can matter: find_library
returns a library's soname, which cffi then opens with dlopen, and dlopen
looks for a soname in ldconfig's cache (and LD_LIBRARY_PATH); gcc and ld
find libraries where dlopen does not look. So while WeasyPrint is imported,
find_library asks ldconfig alone, once per name, unless LD_LIBRARY_PATH is
set (ld searches it too: then nothing changes).
"""

import ctypes.util
import gc
import os
import sys
from contextlib import contextmanager
from functools import lru_cache


def import_weasyprint():
    """import weasyprint, the quick way when it is not imported yet."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    with _quick_library_search():
        import weasyprint
    return weasyprint


def warm_engine():
    """WeasyPrint imported, Fontconfig and Pango set up (0.1 s, once per
    process that lays out, or forks the workers that do), and all of it out of
    the garbage collector's sight: it lives as long as the process, a
    collection would go through it again, and forked workers share its
    pages instead of copying them when a collection touches them."""
    import_weasyprint().HTML(string="<p>warm</p>").render()
    gc.freeze()


@contextmanager
def _quick_library_search():
    ask_ldconfig = getattr(ctypes.util, "_findSoname_ldconfig", None)   # CPython on Linux
    if ask_ldconfig is None or not sys.platform.startswith("linux") or os.environ.get("LD_LIBRARY_PATH"):
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lru_cache(maxsize=None)(ask_ldconfig)
    try:
        yield
    finally:
        ctypes.util.find_library = original
