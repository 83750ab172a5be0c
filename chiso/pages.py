"""HTML and SVG from the Jinja2 templates in ``chiso/templates`` (autoescaped).

Every value a template prints is escaped for HTML and XML (names from source files may hold
``<``, ``&`` or quotes), and C0 control characters other than tab and line breaks are replaced
by a space: text copied from Word carries vertical tabs (Shift+Enter) and form feeds, which are
not allowed in HTML and make an SVG unreadable as XML. Charts and page fragments are passed
between templates as ``Markup`` (already rendered), so they are not escaped twice.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(value: Any) -> Any:
    """Text a page may hold: control characters become spaces (Markup is already clean)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _CONTROL.sub(" ", value)
    return value


def _thousands(value: int) -> str:
    return f"{value:,}"


def _px(value: float) -> str:
    """A coordinate with one decimal, as the charts write them."""
    return f"{value:.1f}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("chiso", "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt variable fails the render, not the page
        finalize=clean,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = _thousands
    env.filters["px"] = _px
    return env


def render(template: str, **context: Any) -> Markup:
    """The template rendered with ``context``, as markup to insert into another template."""
    return Markup(environment().get_template(template).render(**context))
