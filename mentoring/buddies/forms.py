"""Forms for swapping buddies and for a private "not with" wish."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField

from mentoring.forms import HearthForm


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _members(members: list[tuple[int, str]]) -> list[SelectChoice]:
    return [SelectChoice("", "Choose a member"), *(SelectChoice(str(uid), name) for uid, name in members)]


class SwapForm(HearthForm):
    first = SelectField("Swap", coerce=_int_or_none, validate_choice=False)
    second = SelectField("with", coerce=_int_or_none, validate_choice=False)

    def set_members(self, members: list[tuple[int, str]]) -> None:
        self.first.choices = self.second.choices = _members(members)


class ApartForm(HearthForm):
    other_id = SelectField("Please never pair me with", coerce=_int_or_none, validate_choice=False)

    def set_members(self, members: list[tuple[int, str]]) -> None:
        self.other_id.choices = _members(members)
