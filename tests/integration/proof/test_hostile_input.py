"""Hostile input on every route: Hypothesis fills each form and query string with what people
and scripts really send (nothing, 100k characters, Unicode, control characters and NUL, HTML and
script, numbers and dates out of range, wrong types, missing and duplicated fields, Flask's
`_method`/`_external` keys), as the persona who may use the route (TABLE in the matrix).

Whatever arrives: no 500, nothing written when the answer is an error (row counts of every table
before and after), and no script echoed unescaped into a page. Bounded (ten examples per form,
three per route without one) so that CI stays fast, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import UnicodeConverter
from wtforms.fields.core import UnboundField

from mentoring.extensions import db
from tests.integration.proof.conftest import csrf_for
from tests.integration.proof.test_authorization_matrix import TABLE
from tests.integration.proof.world import PERSONAS, World

SCRIPT = '<script>alert("hearth")</script>'
IMAGE = '<img src=x onerror=alert("hearth")>'
# The first persona in this order who may use a route fuzzes it: the owner of the rows first.
FUZZER_ORDER = ("member", "facilitator", "sponsor", "admin", *PERSONAS)
# Keys that mean something to Flask or Werkzeug rather than to a form, and path arguments.
FLASK_KEYS = ("_method", "_external", "_anchor", "_scheme", "circle_id", "next", "csrf_token")
FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\(")
REQUEST_KEY = re.compile(r"request\.(?:args|form|values)\.(?:get|getlist)\(\s*\"([\w-]+)\"")
INPUT_NAME = re.compile(r'name="([^"]+)"')

hostile_text = st.one_of(
    st.just(""),
    st.just(" "),
    st.just(SCRIPT),
    st.just(IMAGE),
    st.just("\x00"),
    st.just("a\x00b"),
    st.sampled_from(["x" * 100_000, "é" * 100_000, "1" * 100_000]),
    st.sampled_from(["-1", "0", "99999999999999999999", "1e309", "NaN", "-0", "3.5", "0x10"]),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "99999-01-01", "1970-01-01T00:00",
                     "24:00", "23:61", "-1:00"]),
    st.sampled_from(["true", "[]", "{}", "null", "None", "on", "../../etc/passwd", "%00", "\r\n\r\n"]),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
)
# A field sent once, twice (duplicated), or not at all.
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))


def _form_field_names(form_name: str) -> set[str]:
    import mentoring

    for module_name, module in list(__import__("sys").modules.items()):
        if module_name.startswith(mentoring.__name__) and hasattr(module, form_name):
            cls = getattr(module, form_name)
            names = set()
            for klass in getattr(cls, "__mro__", ()):
                names.update(k for k, v in vars(klass).items() if isinstance(v, UnboundField))
            return names
    return set()


def fields_of(app: Flask, endpoint: str, page: str) -> list[str]:
    """The names a route reads: the inputs of its page, the forms and request keys its view names."""
    names = set(INPUT_NAME.findall(page))
    view = app.view_functions[endpoint]
    source = inspect.getsource(inspect.unwrap(view))
    for form_name in FORM_CLASS.findall(source):
        names |= _form_field_names(form_name)
    names |= set(REQUEST_KEY.findall(source))
    return sorted(names - {"csrf_token"})


def fuzzer(endpoint: str) -> str:
    entry = TABLE[endpoint]
    return next((p for p in FUZZER_ORDER if entry.expected(p).value == "ok"), "member")


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
        if table.name != "user_sessions"
    }


def _with_segment(app: Flask, endpoint: str, url: str, segment: str) -> str:
    """`url` with its string path arguments (a token, a key, a session id) set to `segment`."""
    adapter = app.url_map.bind("localhost")
    path, _, query = url.partition("?")
    _, arguments = adapter.match(path, method="POST" if endpoint in POST_ONLY else "GET")
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    for name, converter in rule._converters.items():
        if isinstance(converter, UnicodeConverter):
            arguments[name] = segment
    built = adapter.build(endpoint, arguments)
    return f"{built}?{query}" if query else built


POST_ONLY: set[str] = set()


def _string_arguments(app: Flask, endpoint: str) -> list[str]:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return [name for name, conv in rule._converters.items() if isinstance(conv, UnicodeConverter)]


HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.mark.parametrize("endpoint", sorted(TABLE))
def test_hostile_input_gets_no_500_writes_nothing_on_error_and_echoes_no_script(
    app: Flask, world: World, persona_client: Callable[[str], FlaskClient], endpoint: str
) -> None:
    client = persona_client(fuzzer(endpoint))
    url = TABLE[endpoint].url.format(**world.ids)
    methods = {m for r in app.url_map.iter_rules() if r.endpoint == endpoint for m in r.methods}
    if "GET" not in methods:
        POST_ONLY.add(endpoint)
    page = client.get(url).get_data(as_text=True) if "GET" in methods else ""
    names = fields_of(app, endpoint, page)
    hostile_path = bool(_string_arguments(app, endpoint))

    def send(method: str, fields: dict[str, Any], extra: dict[str, Any], segment: str) -> None:
        # The string part of the path (a token, a key, a session id) is hostile too.
        target = _with_segment(app, endpoint, url, segment[:2000]) if hostile_path else url
        data = MultiDict()
        for key, value in {**fields, **extra}.items():
            for one in value if isinstance(value, list) else [value]:
                data.add(key, one)
        with app.app_context():
            before = row_counts()
        if method == "GET":
            path, _, query = target.partition("?")
            for key, value in MultiDict(parse_qsl(query)).items(multi=True):
                data.add(key, value)
            response = client.get(path, query_string=data)
        else:
            if "csrf_token" not in data:
                data.add("csrf_token", csrf_for(client))
            response = client.post(target, data=data)
        sent = (method, target[:200], {k: [v[:80] for v in vs] for k, vs in data.lists()})
        assert response.status_code < 500, sent
        if response.status_code >= 400:
            with app.app_context():
                assert row_counts() == before, sent
        if response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            assert SCRIPT not in body and IMAGE not in body, sent

    # Besides what Hypothesis draws, every field at once: NUL (PostgreSQL refuses it), script,
    # 100k characters.
    everywhere = [{name: value for name in names} for value in ("a\x00b", SCRIPT, "x" * 100_000)]
    for method in sorted(methods & {"GET", "POST"}):
        for fields in everywhere:
            send(method, fields, {}, "\x00")
        settings(max_examples=10 if names or hostile_path else 3, suppress_health_check=HEALTH,
                 database=None)(given(
            fields=st.dictionaries(st.sampled_from(names or ["q"]), hostile_value, max_size=len(names) + 1),
            extra=st.dictionaries(st.sampled_from(FLASK_KEYS), hostile_value, max_size=2),
            segment=hostile_text.filter(bool),
        )(send))(method=method)


@pytest.mark.parametrize("path", [
    "/calendar/١-{digits}.ics",  # Arabic-Indic digits are digits to int() and to a Unicode \\d
    "/circles/{draft}/interest/é{digits}",
])
def test_secret_links_with_characters_from_other_scripts_are_not_found(
    world: World, persona_client: Callable[[str], FlaskClient], path: str
) -> None:
    url = path.format(draft=world.ids["draft"], digits="0" * 40)
    assert persona_client("member").get(url).status_code == 404


@pytest.mark.parametrize("path", [
    "/billing/local-checkout/\x00",
    "/calendar/1-\x00.ics",
    "/account/verify/a\x1bb",
    "/sponsors/invitations/\x7f",
])
def test_a_control_character_in_a_path_part_matches_no_route(app: Flask, path: str) -> None:
    # PostgreSQL refuses NUL in text: such a path must never reach a look-up (it was a 500 there).
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(path, method="GET")


@pytest.mark.parametrize(("persona", "url"), [
    ("member", "/billing/success?session_id=%00"),
    ("admin", "/admin/users?q=a%00"),
    ("anonymous", "/circles/?%00=1"),
])
def test_a_nul_in_the_query_string_is_refused_before_any_look_up(
    world: World, persona_client: Callable[[str], FlaskClient], persona: str, url: str
) -> None:
    # On PostgreSQL the first two were 500s (NUL in a text parameter).
    assert persona_client(persona).get(url).status_code == 400


def test_suggesting_buddies_twice_replaces_the_draft(
    app: Flask, world: World, persona_client: Callable[[str], FlaskClient]
) -> None:
    # The second suggestion collided with the first draft's members left behind on SQLite (a 500).
    client = persona_client("facilitator")
    url = f"/buddies/circles/{world.ids['circle']}/suggest"
    for _ in range(2):
        assert client.post(url, data={"csrf_token": csrf_for(client)}).status_code == 302


@pytest.mark.parametrize("number", ["²", "1" * 5000])
def test_numbers_that_str_isdigit_takes_but_int_refuses_are_no_500(
    world: World, persona_client: Callable[[str], FlaskClient], number: str
) -> None:
    # str.isdigit() accepts '²' and 5000 digits; int() refuses both (ValueError, a 500).
    client = persona_client("member")
    week = client.post("/my-week/windows", data={"csrf_token": csrf_for(client), "weekdays": number,
                                                 "start": f"{number}:00", "end": "10:00"})
    assert week.status_code < 500
    assert client.get(f"/my-week/?day={number}&at={number}:00").status_code < 500
    check_in = client.post(f"/growth/circles/{world.ids['circle']}/check-in",
                           data={"csrf_token": csrf_for(client), f"progress-{number}": "some"})
    assert check_in.status_code < 500
