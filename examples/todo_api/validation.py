"""Checking a to-do item's JSON: every problem reported per field, as a 422."""

from __future__ import annotations

import typing as t

from vial import request

from .errors import ValidationFailed

TITLE_MAX = 200
NOTES_MAX = 5000
FIELDS = ("title", "notes", "done")


def json_object() -> dict[str, t.Any]:
    """The request body as a JSON object.

    415 when the body is not JSON, 400 when it is malformed, 422 when it is JSON
    but not an object.
    """
    data = request.get_json()  # raises UnsupportedMediaType (415) or BadRequest (400)
    if not isinstance(data, dict):
        raise ValidationFailed({"$": "The body must be a JSON object."})
    return data


def _check_field(name: str, value: t.Any) -> tuple[t.Any, str | None]:
    if name == "title":
        if not isinstance(value, str):
            return None, "Must be a string."
        value = value.strip()
        if not value:
            return None, "Must not be empty."
        if len(value) > TITLE_MAX:
            return None, f"Must be at most {TITLE_MAX} characters."
        return value, None
    if name == "notes":
        if not isinstance(value, str):
            return None, "Must be a string."
        if len(value) > NOTES_MAX:
            return None, f"Must be at most {NOTES_MAX} characters."
        return value, None
    # done: JSON true or false only, not 0/1 or "yes".
    if not isinstance(value, bool):
        return None, "Must be true or false."
    return value, None


def todo_fields(data: dict[str, t.Any], required: t.Iterable[str] = ()) -> dict[str, t.Any]:
    """The checked fields of ``data``.

    :param required: the fields that must be present (none for a PATCH).
    :raises ValidationFailed: with a message for each field that is wrong.
    """
    errors: dict[str, str] = {}
    values: dict[str, t.Any] = {}
    for name in data:
        if name not in FIELDS:
            errors[name] = "Unknown field."
    for name in FIELDS:
        if name in data:
            value, error = _check_field(name, data[name])
            if error is None:
                values[name] = value
            else:
                errors[name] = error
    for name in required:
        if name not in data:
            errors[name] = "Required."
    if errors:
        raise ValidationFailed(errors)
    return values


def query_int(name: str, default: int, low: int, high: int | None = None) -> tuple[int, str | None]:
    """An integer query parameter within bounds, or an error message."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default, None
    if not raw.isascii() or not raw.isdigit():
        return default, "Must be a whole number."
    value = int(raw)
    if value < low or (high is not None and value > high):
        return default, f"Must be between {low} and {high}." if high else f"Must be at least {low}."
    return value, None


def query_bool(name: str) -> tuple[bool | None, str | None]:
    """``true``/``false`` (or ``1``/``0``) query parameter; None when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None, None
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True, None
    if lowered in ("false", "0"):
        return False, None
    return None, "Must be true or false."
