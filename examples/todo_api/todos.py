"""The ``/todos`` resource: list, create, read, replace, update, delete.

Items carry a strong ETag (``"<id>.<version>"``, the version counting changes):
``If-None-Match`` on GET answers 304 when nothing changed, and ``If-Match`` on
PUT, PATCH and DELETE answers 412 when someone changed the item meanwhile.
"""

from __future__ import annotations

import math
import sqlite3
import typing as t

from vial import Blueprint, Response, abort, current_app, g, jsonify, request, url_for

from .auth import require_token
from .db import get_db
from .errors import ValidationFailed
from .validation import json_object, query_bool, query_int, todo_fields

bp = Blueprint("todos", __name__, url_prefix="/todos")
bp.before_request(require_token)


def etag_of(row: sqlite3.Row) -> str:
    return f"{row['id']}.{row['version']}"


def to_json(row: sqlite3.Row) -> dict[str, t.Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "notes": row["notes"],
        "done": bool(row["done"]),
        "created": row["created"],
        "updated": row["updated"],
        "url": url_for("todos.get_todo", id=row["id"]),
    }


def item_response(row: sqlite3.Row, status: int = 200) -> Response:
    response = jsonify(to_json(row))
    response.status_code = status
    response.set_etag(etag_of(row))
    return response


def load(id: int) -> sqlite3.Row:
    """The user's item ``id``; 404 if there is none (or it is someone else's)."""
    row: sqlite3.Row | None = (
        get_db().execute("SELECT * FROM todo WHERE id = ? AND owner = ?", (id, g.user)).fetchone()
    )
    if row is None:
        abort(404, f"There is no to-do item {id}.")
    return row


def check_if_match(row: sqlite3.Row) -> None:
    """412 when the request's ``If-Match`` names another version of the item."""
    if request.headers.get("If-Match") is not None and not request.if_match.contains(etag_of(row)):
        abort(412, "The item changed since you read it; fetch it again (see its ETag).")


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@bp.get("")
def list_todos() -> dict[str, t.Any]:
    errors: dict[str, str] = {}
    page, error = query_int("page", 1, 1)
    if error:
        errors["page"] = error
    max_per_page = int(current_app.config["MAX_PER_PAGE"])
    per_page, error = query_int("per_page", int(current_app.config["PER_PAGE"]), 1, max_per_page)
    if error:
        errors["per_page"] = error
    done, error = query_bool("done")
    if error:
        errors["done"] = error
    if errors:
        raise ValidationFailed(errors, "Invalid query parameters.")
    q = request.args.get("q", "").strip()

    where, params = ["owner = ?"], [g.user]
    if done is not None:
        where.append("done = ?")
        params.append(int(done))
    if q:
        where.append("(title LIKE ? ESCAPE '\\' OR notes LIKE ? ESCAPE '\\')")
        params += [_like_pattern(q)] * 2
    condition = " AND ".join(where)
    db = get_db()
    total = db.execute(f"SELECT count(*) FROM todo WHERE {condition}", params).fetchone()[0]
    rows = db.execute(
        f"SELECT * FROM todo WHERE {condition} ORDER BY id LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page],
    ).fetchall()

    pages = max(1, math.ceil(total / per_page))
    filters = {key: value for key, value in (("done", request.args.get("done")), ("q", q)) if value}

    def link(number: int) -> str:
        return url_for("todos.list_todos", page=number, per_page=per_page, **filters)

    return {
        "items": [to_json(row) for row in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "links": {
            "self": link(page),
            "first": link(1),
            "last": link(pages),
            "prev": link(page - 1) if 1 < page <= pages + 1 else None,
            "next": link(page + 1) if page < pages else None,
        },
    }


@bp.post("")
def create_todo() -> Response:
    fields = todo_fields(json_object(), required=("title",))
    db = get_db()
    with db:
        cursor = db.execute(
            "INSERT INTO todo (owner, title, notes, done) VALUES (?, ?, ?, ?)",
            (g.user, fields["title"], fields.get("notes", ""), int(fields.get("done", False))),
        )
    row = load(t.cast(int, cursor.lastrowid))
    response = item_response(row, 201)
    response.headers["Location"] = url_for("todos.get_todo", id=row["id"])
    return response


@bp.get("/<int:id>")
def get_todo(id: int) -> Response:
    return item_response(load(id)).make_conditional(request)  # type: ignore[no-any-return]


def _save(row: sqlite3.Row, fields: dict[str, t.Any]) -> Response:
    """Write ``fields`` over ``row`` unless someone else changed it first (then 412)."""
    if not fields:
        return item_response(row)
    assignments = ", ".join(f"{name} = ?" for name in fields)
    values = [int(v) if isinstance(v, bool) else v for v in fields.values()]
    db = get_db()
    with db:
        cursor = db.execute(
            f"UPDATE todo SET {assignments}, version = version + 1,"
            " updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
            " WHERE id = ? AND version = ?",
            [*values, row["id"], row["version"]],
        )
    if cursor.rowcount == 0:
        abort(412, "The item changed while you were updating it; fetch it again.")
    return item_response(load(row["id"]))


@bp.put("/<int:id>")
def replace_todo(id: int) -> Response:
    row = load(id)
    check_if_match(row)
    # A replacement: every field is set, notes to "" when left out.
    fields = todo_fields(json_object(), required=("title", "done"))
    return _save(row, {"notes": "", **fields})


@bp.patch("/<int:id>")
def update_todo(id: int) -> Response:
    row = load(id)
    check_if_match(row)
    return _save(row, todo_fields(json_object()))


@bp.delete("/<int:id>")
def delete_todo(id: int) -> Response:
    row = load(id)
    check_if_match(row)
    db = get_db()
    with db:
        db.execute("DELETE FROM todo WHERE id = ? AND version = ?", (id, row["version"]))
    return Response(status=204)
