"""The web edition and the preview in a real browser: Debian's chromium,
headless, driven by Playwright (which downloads no browser of its own).
Skipped, with the reason, where chromium is not installed; the set-up
installs it, so CI runs these."""

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import MINIMAL_BRIEF, ROOT, run_cli, write_brief
from webcheck import CHROMIUM, CHROMIUM_ARGS

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no browser: {CHROMIUM} is absent "
                                "(Debian's chromium package; the README's set-up installs it)")

SITES = {   # name -> (brief, theme)
    "default": ("north-korea-trafficking.yaml", None),
    "cedarbay": ("north-korea-trafficking.yaml", "cedarbay"),
    "arabic": ("north-korea-trafficking.ar.yaml", None),
    "korean": ("north-korea-trafficking.ko.yaml", None),
}
WIDTHS = (320, 375, 1280)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Each sample's PDFs and web edition, in a folder of its own."""
    built = {}
    for name, (brief, theme) in SITES.items():
        out = tmp_path_factory.mktemp(name)
        options = ("--theme", theme) if theme else ()
        for output_format in ("pdf", "web"):
            result = run_cli("build", ROOT / "briefs" / brief, "--format", output_format, "--out", out, *options)
            assert result.exit_code == 0, result.output
        built[name] = out / Path(brief).stem / "index.html"
    return built


def opened(browser, page_file, width):
    """The page, opened from disk at a width, with every request that failed."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    failed = []
    page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
    page.on("response", lambda response: failed.append(f"{response.url}: {response.status}")
            if response.status >= 400 else None)
    page.goto(page_file.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready")
    return page, failed


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_opens_from_disk_with_every_file_and_no_horizontal_scroll(browser, sites, site, width, tmp_path):
    page, failed = opened(browser, sites[site], width)
    try:
        assert failed == []
        widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]")
        assert widths[0] <= widths[2] and widths[1] <= widths[2], widths
        # every image drawn, every web font of the stylesheet loaded
        assert page.evaluate("[...document.images].filter(image => !image.complete || !image.naturalWidth)"
                             ".map(image => image.src)") == []
        fonts = page.evaluate("[...document.fonts].map(font => [font.family, font.status])")
        assert fonts and all(status == "loaded" for _, status in fonts if status != "unloaded"), fonts
        assert any(status == "loaded" for _, status in fonts)
        shot = tmp_path / f"{site}-{width}.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.close()


def test_printed_from_the_browser_the_page_drops_what_only_a_screen_needs(browser, sites):
    page, _ = opened(browser, sites["default"], 1280)
    try:
        page.emulate_media(media="print")
        shown = page.evaluate("['.skip-link', '.editions', '.cover'].map(selector => "
                              "[getComputedStyle(document.querySelector(selector)).display, "
                              "getComputedStyle(document.querySelector(selector)).backgroundColor])")
        assert shown == [["none", "rgb(31, 58, 95)"], ["none", "rgba(0, 0, 0, 0)"], ["block", "rgba(0, 0, 0, 0)"]]
        assert page.pdf(format="A4")[:4] == b"%PDF"
    finally:
        page.close()


@pytest.mark.parametrize("site", SITES)
def test_every_internal_link_has_its_target(browser, sites, site):
    page, _ = opened(browser, sites[site], 1280)
    try:
        targets = page.evaluate("[...document.querySelectorAll('a[href^=\"#\"]')].map(link => link.hash.slice(1))")
        assert len(targets) > 10   # contents, citations, notes and their back links, cross-references
        missing = page.evaluate("ids => ids.filter(id => !document.getElementById(decodeURIComponent(id)))", targets)
        assert missing == []
    finally:
        page.close()


@pytest.mark.parametrize("site", SITES)
def test_axe_finds_no_wcag_21_aa_violation(browser, sites, site):
    from axe_playwright_python.sync_playwright import Axe
    page, _ = opened(browser, sites[site], 1280)
    try:
        results = Axe().run(page, options={"runOnly": {"type": "tag",
                                                       "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        violations = results.response["violations"]
        print(f"axe-core {results.response['testEngine']['version']}, {site}: {len(violations)} violations, "
              f"{len(results.response['passes'])} rules passed")
        assert [(violation["id"], [node["target"] for node in violation["nodes"]]) for violation in violations] == []
    finally:
        page.close()


# --- brief serve -------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`brief serve` on a minimal brief, in a process of its own."""
    (tmp_path / "briefs").mkdir()
    brief = write_brief(tmp_path / "briefs", MINIMAL_BRIEF)
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "serve", str(brief), "--port", str(port),
                                "--out", str(tmp_path / "out"), "--jobs", "1"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"brief serve did not start: {process.communicate(timeout=5)[0]}")
            time.sleep(0.2)
    yield brief, url, process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def test_an_edit_reloads_the_preview_within_two_seconds(browser, server):
    brief, url, _ = server
    page = browser.new_page()
    try:
        page.goto(f"{url}/out/brief/")
        assert page.locator("h1").inner_text() == "A minimal brief"
        page.wait_for_timeout(300)   # the event stream is open
        start = time.monotonic()
        brief.write_text(MINIMAL_BRIEF.replace("A minimal brief", "An edited brief"), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').textContent === 'An edited brief'", timeout=10_000)
        seconds = time.monotonic() - start
        print(f"the preview reloaded {seconds:.2f} s after the edit")
        assert seconds < 2
    finally:
        page.close()


def test_a_broken_edit_shows_its_problems_and_keeps_the_last_good_build(browser, server):
    brief, url, _ = server
    page = browser.new_page()
    try:
        page.goto(f"{url}/out/brief/")
        page.wait_for_timeout(300)
        brief.write_text(MINIMAL_BRIEF.replace("summary: The summary.", "summary: [not, text]"), encoding="utf-8")
        alert = page.locator("[role=alert]")
        alert.wait_for(timeout=10_000)
        assert re.search(r"brief\.yaml:3: summary: .+", alert.inner_text())
        assert page.locator("h1").inner_text() == "A minimal brief"    # the last good build
        brief.write_text(MINIMAL_BRIEF, encoding="utf-8")                 # mended: the problems go
        alert.wait_for(state="detached", timeout=10_000)
    finally:
        page.close()


def test_the_server_serves_the_output_folder_only(server, tmp_path):
    _, url, _ = server
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    for path in ("/out/../secret.txt", "/out/%2e%2e/secret.txt", "/out/..%2fsecret.txt", "/secret.txt",
                 "/out/%2e%2e/briefs/brief.yaml", "/briefs/brief.yaml"):
        connection = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=5)
        with connection:   # a raw request: a client library would remove the '..'
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            response = b"".join(iter(lambda: connection.recv(65536), b"")).decode("latin-1")
        assert response.split()[1] == "404", (path, response[:200])
        assert "secret" not in response.split("\r\n\r\n", 1)[1] and "title:" not in response
    assert urllib.request.urlopen(url + "/out/brief-full.pdf", timeout=5).read(4) == b"%PDF"
