"""The fixed words a theme prints ("Key points", "Page 2 of 6", ...), from
gettext catalogues chosen by the brief's language, English as the fallback.

Catalogues are `.po` files in `templates/<theme>/locale/<ll>/LC_MESSAGES/brief.po`,
the form translators' tools (pybabel, Poedit, Weblate) read and write. They
are compiled with Babel when a build reads them, so a `.po` never goes stale
behind a `.mo` (the compiled form is kept in the cache of cache.py, under the
`.po` files' contents). A theme's catalogue wins over the default theme's, message by
message: a theme overrides any label without copying the rest.
"""

import base64
import gettext
import hashlib
import io
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from markupsafe import Markup

from ..util import cache

DOMAIN = "brief"
RIGHT_TO_LEFT = {"ar", "fa", "he", "ur"}


def locale_of(language):
    """The Babel locale of a BCP 47 tag ('en-GB', 'zh-Hans'); English when unknown."""
    try:
        return Locale.parse(str(language), sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def direction(language):
    return "rtl" if locale_of(language).language in RIGHT_TO_LEFT else "ltr"


def catalogue_names(language):
    """Folder names to try, most specific first: zh_Hans_CN, zh_Hans, zh."""
    locale = locale_of(language)
    names = [str(locale), "_".join(filter(None, (locale.language, locale.script))), locale.language]
    return list(dict.fromkeys(names))


def translations(template_dirs, language):
    """The labels of a language: every theme folder's catalogue merged, the
    first folder of the search path winning; the msgid (English) when none
    has a label."""
    files = []
    for folder in template_dirs:
        for name in catalogue_names(language):
            file = Path(folder) / "locale" / name / "LC_MESSAGES" / f"{DOMAIN}.po"
            if file.is_file():
                files.append((str(file), file.stat().st_mtime_ns))  # mtime: an edited file is read again
                break
    return _compiled(tuple(files))


@lru_cache(maxsize=64)
def _compiled(files):
    """The catalogues merged and compiled, as `pybabel compile` would (fuzzy
    and empty entries left out)."""
    sources = [Path(file).read_bytes() for file, _ in files]
    key = [hashlib.sha256(source).hexdigest() for source in sources]
    compiled = cache.remembered("labels", key, lambda: base64.b64encode(_mo(sources)).decode("ascii"))
    return gettext.GNUTranslations(io.BytesIO(base64.b64decode(compiled)))


def _mo(sources):
    from babel.messages.catalog import Catalog   # only when the catalogues changed
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    merged = Catalog(domain=DOMAIN)
    for source in sources:   # search order: a label the theme has is never replaced by the default's
        for message in read_po(io.BytesIO(source), domain=DOMAIN):
            if message.id and message.string and not message.fuzzy and message.id not in merged:
                merged[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    return buffer.getvalue()


def install_labels(environment, template_dirs, language):
    """Jinja's i18n extension with the language's catalogues: templates write
    `{{ _("Key points") }}` or `{{ _("Page %(page)s of %(pages)s")|css_content(...) }}`."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_translations(translations(template_dirs, language), newstyle=True)
    environment.filters.update(css_string=css_string, css_content=css_content)


def css_string(text):
    """A label as a CSS string literal."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return Markup(f'"{escaped}"')


def css_content(label, **counters):
    """A translated pattern as a CSS `content` value: 'Page %(page)s of %(pages)s'
    with page='counter(page)' -> "Page " counter(page) " of " counter(pages).
    Each language puts the numbers where its grammar wants them."""
    parts, text = [], str(label)
    while text:
        positions = [(text.find(f"%({name})s"), name) for name in counters if f"%({name})s" in text]
        if not positions:
            parts.append(css_string(text))
            break
        index, name = min(positions)
        if index:
            parts.append(css_string(text[:index]))
        parts.append(counters[name])
        text = text[index + len(f"%({name})s"):]
    return Markup(" ".join(parts))
