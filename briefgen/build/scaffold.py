"""`brief new-theme`: a theme folder a designer can start restyling at once."""

from pathlib import Path

from ..util import project
from ..theme.resolve import THEME_NAME, ThemeError

BRAND = """\
# The brand of your theme. The shape is Quarto's _brand.yml (meta, logo, color,
# typography), so a brand file kept for Quarto can be reused; what Quarto has no
# key for sits under defaults: policy-brief:. Uncomment and change what differs
# from the default theme; the values shown are the default theme's.

meta:
  name: Your Organisation          # on the cover, masthead and back page
  # link: https://example.org

# logo: logo.svg                   # SVG or PNG, path relative to this file

color:
  palette:                         # your colours by name ...
    navy: "#1f3a5f"
    red: "#b8322a"
  primary: navy                    # ... and by role: headings, rules, bands (--color-accent)
  secondary: red                   # numbers and markers (--color-highlight)
  # foreground: "#1c232b"          # body text (--color-text)
  # tertiary: "#5a6573"            # captions, running heads (--color-muted)
  # light: "#edf1f6"               # boxes (--color-surface)
  # warning: "#8a4b00"             # warning call-outs (--color-warning)

# typography:
#   fonts:                         # font files that come with the theme
#     - family: Your Serif
#       source: file
#       files:
#         - {path: fonts/YourSerif-Regular.ttf, weight: 400, style: normal}
#         - {path: fonts/YourSerif-Italic.ttf, weight: 400, style: italic}
#         - {path: fonts/YourSerif-Bold.ttf, weight: 700, style: normal}
#   base: {family: Your Serif, size: 10pt, line-height: 1.4}   # --font-body, --size-body
#   headings: {family: Your Sans}                              # --font-heading

defaults:
  policy-brief:
    paper: A4                      # A5, B5, Letter, Legal, or "170mm 240mm"
    # logo-size: {cover: 16mm, running-head: 5mm, summary: 7mm}   # logo heights
    # contact: "Write to [briefs@example.org](mailto:briefs@example.org)."
    # disclaimer: "The views expressed are the authors' own."
"""

STYLESHEET = """\
/* Rules here cascade after the default theme's styles/default/brief.css (every
   variant); add full.css, memo.css or summary.css for one variant only. Colours
   and fonts are best set in _brand.yml; the custom properties it sets are
   listed at the top of the default brief.css. */

/* Example: square key-point boxes with a thicker rule.
.key-points { border-left-width: 6pt; }
*/
"""

COVER_OVERRIDE = """\
{# Example override. This file replaces the default theme's partials/cover.html,
   extends it and calls super(), so the cover stays the same until you change a
   block. The blocks of the cover are cover_masthead, cover_image, cover_title, cover_meta;
   README.md lists the blocks of every partial. Delete this file to drop it. #}
{% extends "default/partials/cover.html" %}

{% block cover_title %}
{{ super() }}
{# <p class="kicker">A line under the title, for example.</p> #}
{% endblock %}
"""

FOLDERS = ("partials", "blocks", "variants")


def new_theme(target, project_dir=None):
    """Create a theme: a plain name goes into the project folder's templates/
    and styles/; a path makes a folder holding templates/ and styles/."""
    target = str(target)
    if THEME_NAME.fullmatch(target):
        project_dir = Path(project_dir or project.folder())
        templates, styles = project_dir / project.TEMPLATES / target, project_dir / project.STYLES / target
    else:
        templates, styles = Path(target) / "templates", Path(target) / "styles"
    existing = [path for path in (templates, styles) if path.exists()]
    if existing:
        raise ThemeError(f"{existing[0]} already exists; choose another name")
    for folder in FOLDERS:
        (templates / folder).mkdir(parents=True)
    (templates / "partials" / "cover.html").write_text(COVER_OVERRIDE, encoding="utf-8")
    styles.mkdir(parents=True)
    (styles / "_brand.yml").write_text(BRAND, encoding="utf-8")
    (styles / "brief.css").write_text(STYLESHEET, encoding="utf-8")
    return templates, styles


# --- brief init: a project folder ---------------------------------------------

STARTER_THEME = "house"
STARTER_BRIEF = "first-brief.yaml"

BRIEF = """\
# A starter brief: replace the text, keep the shape. Every field is described
# in the tool's README ("Writing a brief"); `brief check` finds mistakes.
title: "A first policy brief"
subtitle: "One line that says what the brief is about"
series: "Policy Brief"
date: 2026-01-15
theme: house                       # templates/house/ and styles/house/ in this folder

summary: |
  Two or three sentences for a busy reader: the problem, why it matters now,
  and what should be done about it [@source].

key_points:
  - "The first message a reader should remember."
  - "The second message, with **one** figure that supports it."

sections:
  - title: "The problem"
    summary: "One sentence that the memo prints instead of the whole section."
    content:
      - |
        Paragraphs of markdown. A footnote sits at the foot of the page
        ^[Like this one.], and a citation links to the reference list [@source].
      - callout:
          title: "Why it matters"
          text: "A boxed aside for what a reader must not miss."
  - title: "What can be done"
    content:
      - "The options, their costs and who would act."

recommendations:
  - title: "Act on the first message"
    text: "Who should do what, by when."

references:
  - id: source
    title: "The report this brief relies on"
    publisher: "Its publisher"
    year: 2025
    url: "https://example.org/report"

contact: "Write to [briefs@example.org](mailto:briefs@example.org)."
"""

README = """\
# Policy briefs

Briefs are YAML files in `briefs/`; `brief build` turns each of them into PDFs
in `out/` (the full brief, a two-page memo and a one-page summary).

    brief build                           # every brief in briefs/
    brief build briefs/first-brief.yaml   # one brief
    brief check briefs/*.yaml             # find mistakes without building
    brief themes                          # the themes this folder can use

The starter brief uses the theme `house`: fill in `styles/house/_brand.yml`
(name, logo, colours, fonts) and override templates in `templates/house/`.
What the theme leaves out comes from the built-in default theme.
"""


def init_project(folder):
    """Lay out a project folder: a starter brief, a theme to fill in and a
    README. Writes nothing if any of them exists already."""
    folder = Path(folder)
    brief, readme = folder / project.BRIEFS / STARTER_BRIEF, folder / "README.md"
    theme = [folder / project.TEMPLATES / STARTER_THEME, folder / project.STYLES / STARTER_THEME]
    existing = [path for path in (brief, readme, *theme) if path.exists()]
    if existing:
        raise FileExistsError(f"{existing[0]} already exists; brief init never overwrites a file")
    new_theme(STARTER_THEME, project_dir=folder)
    brief.parent.mkdir(parents=True, exist_ok=True)
    brief.write_text(BRIEF, encoding="utf-8")
    readme.write_text(README, encoding="utf-8")
    return [brief, *theme, readme]
