"""`brief new-theme`: a theme folder a designer can start restyling at once."""

import re
from pathlib import Path

from .theme import STYLES, TEMPLATES, ThemeError

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
    paper: A4                      # or letter
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
   block. The blocks of the cover are cover_masthead, cover_title, cover_meta;
   README.md lists the blocks of every partial. Delete this file to drop it. #}
{% extends "default/partials/cover.html" %}

{% block cover_title %}
{{ super() }}
{# <p class="kicker">A line under the title, for example.</p> #}
{% endblock %}
"""

FOLDERS = ("partials", "blocks", "variants")


def new_theme(target):
    """Create a theme: a plain name goes into this project's templates/ and
    styles/; a path makes a folder holding templates/ and styles/."""
    target = str(target)
    if re.fullmatch(r"[A-Za-z0-9_-]+", target):
        templates, styles = TEMPLATES / target, STYLES / target
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
