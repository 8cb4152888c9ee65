"""Templates obey the strict CSP: no inline script, no on* handlers, no style attributes."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "webapp" / "templates"
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


class Lint(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        for name, value in attrs:
            if name.startswith("on") and not name.startswith("on_"):
                self.problems.append(f"line {line}: inline handler {name}= on <{tag}>")
            if name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"line {line}: {name} (inline handler, needs eval)")
            if name == "style":
                self.problems.append(f"line {line}: style= on <{tag}> (use a CSS class)")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"line {line}: javascript: URL")
        if tag == "script":
            self._script = (line, dict(attrs))
            if "src" not in dict(attrs):
                self.problems.append(f"line {line}: <script> without src")
        if tag == "style":
            self.problems.append(f"line {line}: inline <style> element")

    def handle_data(self, data):
        if self._script and data.strip():
            self.problems.append(f"line {self._script[0]}: <script> with inline content")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def lint(source: str) -> list[str]:
    # Jinja tags become spaces (same length, so line numbers stay right) before HTML parsing.
    p = Lint()
    p.feed(JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source))
    p.close()
    return p.problems


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_is_csp_clean(path):
    assert lint(path.read_text(encoding="utf-8")) == []


def test_the_linter_catches_what_it_should():
    bad = ('<script>alert(1)</script><a onclick="x()">x</a><div style="color:red"></div>'
           '<button hx-on:click="x()">b</button><a href="javascript:void(0)">j</a><style>p{}</style>')
    assert len(lint(bad)) == 7
    assert lint('<script src="{{ url_for(\'static\', filename=\'js/app.js\') }}" defer></script><p class="{{ x }}">ok</p>') == []
