"""The built documentation site loads nothing from the network.

A reader offline or behind a firewall must see the whole site, math included: every
script and stylesheet a page loads, and every ``url()`` or ``@import`` of a stylesheet,
comes from the site's own files. The site is checked where ``python -m sphinx -b html docs
docs/_build/html`` writes it; ``.ci/run`` builds it and then runs this file with
``SKBACKPROP_REQUIRE_DOCS_BUILD=1``, so the check cannot be skipped there.
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "docs" / "_build" / "html"

# http://, https:// and protocol-relative //host addresses all leave the site.
_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_CSS_REMOTE = re.compile(
    r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:https?:)?//[^'")\s]+)""", re.IGNORECASE
)


class _LoadedResources(HTMLParser):
    """Collect the addresses a page loads: ``<script src>``, ``<link href>``, and the
    ``url()``/``@import`` of its inline ``<style>`` blocks, each with its line."""

    def __init__(self):
        super().__init__()
        self.loads = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        line = self.getpos()[0]
        if tag == "script" and attrs.get("src"):
            self.loads.append((line, "<script src>", attrs["src"]))
        elif tag == "link" and attrs.get("href"):
            self.loads.append((line, f"<link rel={attrs.get('rel')!r} href>", attrs["href"]))
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            for address in _CSS_REMOTE.findall(data):
                self.loads.append((self.getpos()[0], "<style> url", address))


def remote_loads_of_html(text):
    """(line, what, address) for each load of ``text`` whose address is remote."""
    parser = _LoadedResources()
    parser.feed(text)
    parser.close()
    return [load for load in parser.loads if _REMOTE.match(load[2])]


def remote_loads_of_css(text):
    """(line, address) for each ``url()`` or ``@import`` of a stylesheet that is remote."""
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(1))
        for match in _CSS_REMOTE.finditer(text)
    ]


def remote_loads_of_site(site):
    """Every remote load of every built page and stylesheet, as ``path:line: what``."""
    found = []
    for path in sorted(site.rglob("*.html")):
        for line, what, address in remote_loads_of_html(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(site)}:{line}: {what} {address}")
    for path in sorted(site.rglob("*.css")):
        for line, address in remote_loads_of_css(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(site)}:{line}: {address}")
    return found


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>',
        '<script defer src="//cdn.example.org/x.js"></script>',
        '<link rel="stylesheet" href="http://example.org/a.css">',
        '<link rel="preload" as="script" href="HTTPS://example.org/a.js" />',
        "<style>@import 'https://fonts.example.org/f.css';</style>",
        '<style>body { background: url("//example.org/bg.png") }</style>',
    ],
)
def test_checker_finds_a_remote_load(html):
    page = f"<html><head>{html}</head><body><p>text</p></body></html>"
    assert len(remote_loads_of_html(page)) == 1


def test_checker_passes_local_loads_and_plain_links():
    page = """<html><head>
    <script defer src="../_static/mathjax/tex-chtml.js"></script>
    <script>window.x = "https://example.org/in-a-string-is-not-a-load";</script>
    <link rel="stylesheet" href="_static/styles/theme.css?digest=1" />
    <style>.a { background: url(../_static/a.png) }</style>
    </head><body><a href="https://www.sphinx-doc.org/">Sphinx</a></body></html>"""
    assert remote_loads_of_html(page) == []


def test_checker_reports_css_line():
    css = ".a { color: red }\n@import url(https://fonts.example.org/f.css);\n"
    assert remote_loads_of_css(css) == [(2, "https://fonts.example.org/f.css")]


def test_built_site_loads_nothing_from_the_network():
    if not (SITE / "index.html").exists():
        message = (
            f"the documentation site is not built in {SITE.relative_to(ROOT)}; build it with "
            '`pip install ".[docs]" && python -m sphinx -W -b html docs docs/_build/html`'
        )
        if os.environ.get("SKBACKPROP_REQUIRE_DOCS_BUILD"):
            pytest.fail(message)
        pytest.skip(message)
    assert (SITE / "_static" / "mathjax" / "tex-chtml.js").exists(), (
        "MathJax is not bundled with the site: is sphinx-mathjax-offline in the docs extra "
        "and in conf.py's extensions?"
    )
    remote = remote_loads_of_site(SITE)
    assert not remote, "pages load from the network:\n" + "\n".join(remote)
