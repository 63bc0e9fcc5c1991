"""The demo app that ``./scripts/demo`` serves: a page, a JSON API and a form."""

from __future__ import annotations

import os
import secrets

from vial import Vial, flash, get_flashed_messages, jsonify, redirect, request, session, url_for

app = Vial(__name__)
app.config["SECRET_KEY"] = os.environ.get("VIAL_SECRET_KEY") or secrets.token_hex()

NOTES: list[str] = ["Welcome to vial."]


@app.get("/")
def index() -> str:
    visits = session.get("visits", 0) + 1
    session["visits"] = visits
    items = "".join(f"<li>{note}</li>" for note in map(_escape, NOTES))
    messages = "".join(f"<p><em>{_escape(m)}</em></p>" for m in get_flashed_messages())
    return (
        "<!doctype html><title>vial demo</title><h1>vial demo</h1>"
        f"{messages}<p>You have visited this page {visits} time(s).</p><ul>{items}</ul>"
        f'<form method="post" action="{url_for("add_note")}">'
        '<input name="note" required> <button>Add a note</button></form>'
        f'<p>JSON: <a href="{url_for("api_notes")}">{url_for("api_notes")}</a></p>'
    )


@app.post("/notes")
def add_note():  # type: ignore[no-untyped-def]
    note = request.form.get("note", "").strip()
    if note:
        NOTES.append(note)
        flash("Note added.")
    return redirect(url_for("index"))


@app.get("/api/notes")
def api_notes():  # type: ignore[no-untyped-def]
    return jsonify(notes=NOTES, count=len(NOTES))


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000)
