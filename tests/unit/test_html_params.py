"""Hearth's `html_params` writes exactly what WTForms' own writes, for any attributes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from mentoring.forms import WTFORMS_HTML_PARAMS, html_params

names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
values = st.one_of(
    st.booleans(),
    st.text(max_size=30),
    st.integers(),
    st.text(max_size=30).map(Markup),  # already safe: written as it is
    st.none(),
)


@given(st.dictionaries(names, values, max_size=8))
def test_it_writes_what_wtforms_writes(attributes: dict[str, object]) -> None:
    assert html_params(**attributes) == WTFORMS_HTML_PARAMS(**attributes)


def test_it_escapes_quotes_and_markup_in_values() -> None:
    written = html_params(value='"><script>alert(1)</script>', data_note="a & b", required=True, hidden=False)
    assert written == 'data-note="a &amp; b" required value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'
    assert isinstance(written, Markup)
