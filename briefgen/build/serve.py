"""`brief serve`: a local preview of the briefs in a folder. It builds each
brief's web edition and PDFs into the output folder, serves that folder (and
nothing else) on 127.0.0.1, rebuilds on save in warm workers (as `brief
watch` does) and tells the open pages to reload, through server-sent events.

A page reads without JavaScript; the preview adds one small script (the
reload) and, when the last edit broke the brief, the problems at the top of
the page. A broken edit keeps the last good build: writers never replace a
good output with a failed one.

Starlette serves, uvicorn runs it; the builds run in a thread of their own,
so that serving never waits for a build."""

import asyncio
import re
import socket
import threading
import time
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

import click
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .batch import run_in_pool, worker_pool
from .document import plan_brief
from ..util.atomic import remove_stale_temporaries
from .watch import edits, watched_folders
from ..writers import web

OUT = "/out"
EVENTS = "/events"
BODY = re.compile(r"<body\b[^>]*>")
POLL_SECONDS = 0.1     # how often an open event stream looks for a new build
RELOAD_SCRIPT = """<script>
/* brief serve: reload when the brief is rebuilt (the page reads without it) */
new EventSource("{events}").onmessage = function (event) {{ if (event.data !== "{generation}") location.reload(); }};
</script>
"""
PROBLEMS = """<div role="alert" style="all: revert; display: block; margin: 0; padding: 1rem 1.25rem; background: #fff4f2;
 color: #7a1608; border-bottom: 3px solid #b3261e; font: 15px/1.5 system-ui, sans-serif;">
<p style="margin: 0 0 .4rem; font-weight: 700;">The last edit did not build; this is the last good build.</p>
<ul style="margin: 0; padding-inline-start: 1.2rem;">{items}</ul></div>
"""


@dataclass
class Preview:
    """What the server shows: the briefs, their problems, and a generation
    number that grows with every build that changed something."""
    briefs: list
    options: object
    generation: int = 0
    problems: dict = field(default_factory=dict)     # brief -> problem lines of its last build
    lock: threading.Lock = field(default_factory=threading.Lock)

    def page_of(self, brief):
        return web.target(self.options.out_dir, Path(brief).stem, "full")

    def publish(self, brief, problems, changed):
        with self.lock:
            if changed or problems != self.problems.get(brief, []):
                self.generation += 1
            self.problems[brief] = problems


def serve(briefs, options, jobs, host="127.0.0.1", port=8000, ready=None):
    """Build, serve and rebuild on save until stopped (Ctrl-C). OSError when
    the port cannot be had, before anything is built."""
    listening = socket.create_server((host, port))
    port = listening.getsockname()[1]   # port 0: the one the system chose
    out_dir = Path(options.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)
    preview = Preview(list(briefs), replace(options, format="pdf"))
    stop = threading.Event()
    with worker_pool(jobs, options.limits) as pool:   # forked before any thread starts
        batches = _edits(preview, stop)   # before the first builds: an edit saved meanwhile is built next
        for brief in preview.briefs:
            rebuild(preview, brief, pool)
        builder = threading.Thread(target=_watch, args=(preview, pool, batches), daemon=True)
        builder.start()
        config = uvicorn.Config(app(preview, stop), host=host, port=port, log_level="warning",
                                timeout_graceful_shutdown=1)
        click.echo(f"Serving {out_dir} at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
        try:
            uvicorn.Server(config).run(sockets=[listening])
        finally:
            stop.set()
            builder.join(timeout=5)
            listening.close()


def rebuild(preview, brief, pool):
    """The web edition first (the open page reloads at once), then the PDFs,
    then the web edition again when the PDFs changed its list of editions."""
    start = time.perf_counter()
    page = preview.page_of(brief)
    before = _read(page)
    problems = _build(brief, replace(preview.options, format="web"), pool)
    preview.publish(brief, problems, _read(page) != before)
    if not problems:
        problems = _build(brief, replace(preview.options, format="pdf"), pool)
        if not problems:
            problems = _build(brief, replace(preview.options, format="web"), pool)
        preview.publish(brief, problems, _read(page) != before)
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{time.strftime('%H:%M:%S')} {'failed' if problems else 'built'} {brief} "
               f"in {time.perf_counter() - start:.2f} s", err=True)


def _build(brief, options, pool):
    """The problem lines of building the brief's documents in one format."""
    try:
        plan = plan_brief(brief, options)
    except Exception as error:  # the brief's problems (a BriefError) or a theme's
        return [str(problem) for problem in getattr(error, "problems", None) or [error]]
    rows = run_in_pool(pool, [(plan, variant) for variant in plan.variants], options)
    return [problem for row in rows for problem in row.problems]


def _read(file):
    try:
        return Path(file).read_bytes()
    except OSError:
        return None


def _watch(preview, pool, batches):
    """Rebuild the briefs whose folders changed, until stop (the batches' stop_event) is set."""
    folders = {brief: watched_folders(brief, preview.options) for brief in preview.briefs}
    for changes in batches:
        changed = [Path(path) for _, path in changes]
        for brief in preview.briefs:
            if any(path.is_relative_to(folder) for path in changed for folder in folders[brief]):
                rebuild(preview, brief, pool)


def _edits(preview, stop):
    """The batches of edits in every brief's folders, watched from now on (watch.edits)."""
    folders = {folder for brief in preview.briefs for folder in watched_folders(brief, preview.options)}
    return edits(sorted(folders), Path(preview.options.out_dir).resolve(), stop_event=stop)


def app(preview, stop):
    """The preview's routes: the list of briefs, the event stream, and the
    output folder (its HTML pages with the reload script)."""
    out_dir = Path(preview.options.out_dir).resolve()
    files = StaticFiles(directory=out_dir, html=True)

    async def index(request):
        return HTMLResponse(_index(preview))

    async def events(request):
        async def stream():
            sent = None
            while not stop.is_set() and not await request.is_disconnected():
                if preview.generation != sent:
                    sent = preview.generation
                    yield f"data: {sent}\n\n"
                await asyncio.sleep(POLL_SECONDS)
        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    async def output(scope, receive, send):
        """The output folder through StaticFiles (which refuses any path
        outside it); an HTML page gets the reload script and the problems."""
        response = await files.get_response(files.get_path(scope), scope)
        path = getattr(response, "path", "")
        if str(path).endswith(".html") and response.status_code == 200:
            response = HTMLResponse(_previewed(preview, Path(path)), headers={"Cache-Control": "no-store"})
        await response(scope, receive, send)

    return Starlette(routes=[Route("/", index), Route(EVENTS, events), Mount(OUT, app=output)])


def _previewed(preview, page):
    html = page.read_text(encoding="utf-8")
    brief = next((brief for brief in preview.briefs if Path(preview.page_of(brief)).resolve() == page.resolve()), None)
    problems = preview.problems.get(brief) or []
    if problems:
        banner = PROBLEMS.format(items="".join(f"<li>{escape(problem)}</li>" for problem in problems))
        html = BODY.sub(lambda match: match.group() + "\n" + banner, html, count=1)
    script = RELOAD_SCRIPT.format(events=EVENTS, generation=preview.generation)
    return html.replace("</body>", script + "</body>", 1)


def _index(preview):
    """The briefs, each with its web edition, PDFs and last problems."""
    out_dir = Path(preview.options.out_dir)
    rows = []
    for brief in preview.briefs:
        stem = Path(brief).stem
        pdfs = sorted(out_dir.glob(f"{stem}-*.pdf"))
        links = [f'<a href="{OUT}/{escape(stem)}/">{escape(stem)}</a>'] + \
            [f'<a href="{OUT}/{escape(pdf.name)}">{escape(pdf.stem.removeprefix(stem + "-"))} (PDF)</a>' for pdf in pdfs]
        problems = "".join(f"<li>{escape(problem)}</li>" for problem in preview.problems.get(brief) or [])
        rows.append(f"<li>{' · '.join(links)}{f'<ul class=problems>{problems}</ul>' if problems else ''}</li>")
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Brief preview</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem;">'
            f'<main><h1>Brief preview</h1><ul>{"".join(rows)}</ul></main></body></html>')
    return page.replace("</body>", RELOAD_SCRIPT.format(events=EVENTS, generation=preview.generation) + "</body>")
