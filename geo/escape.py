"""The one helper through which every piece of data text reaches HTML."""

from __future__ import annotations

import html

import pandas as pd


def esc(value: object) -> str:
    """Escape a value for HTML text or a quoted attribute; missing values become ``""``.

    Escapes ``& < > " '``, the backtick and ``$`` (inert inside HTML, an attribute and a
    JavaScript template literal's interpolated HTML) and the braces ``{ }``, so that no template
    syntax (Jinja's ``{{ }}``, ``{% %}``, ``{# #}``) survives in the result. A browser shows every
    one of them as the character it stands for.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return ""
    return html.escape(str(value), quote=True).translate(_EXTRA)


_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"})


_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$:"


def esc_markdown(value: object) -> str:
    """Escape a value for Streamlit markdown (headers, captions, alerts): no links, no markup."""
    text = "" if value is None else str(value)
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)
