"""The posts: the index, and writing, editing and deleting your own."""

from __future__ import annotations

import sqlite3
import typing as t

from vial import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from .auth import login_required
from .db import get_db

bp = Blueprint("blog", __name__)

TITLE_MAX = 200


@bp.route("/")
def index() -> str:
    posts = (
        get_db()
        .execute(
            "SELECT p.id, title, body, created, author_id, username"
            " FROM post p JOIN user u ON p.author_id = u.id"
            " ORDER BY created DESC, p.id DESC"
        )
        .fetchall()
    )
    return render_template("blog/index.html", posts=posts)


def get_post(id: int, check_author: bool = True) -> sqlite3.Row:
    """The post ``id``; 404 if there is none, 403 if it is someone else's."""
    post: sqlite3.Row | None = (
        get_db()
        .execute(
            "SELECT p.id, title, body, created, author_id, username"
            " FROM post p JOIN user u ON p.author_id = u.id WHERE p.id = ?",
            (id,),
        )
        .fetchone()
    )
    if post is None:
        abort(404, f"Post {id} doesn't exist.")
    if check_author and post["author_id"] != g.user["id"]:
        abort(403, "You can only change your own posts.")
    return post


def _read_form() -> tuple[str, str, str | None]:
    title = request.form.get("title", "").strip()
    body = request.form.get("body", "")
    error = None
    if not title:
        error = "Title is required."
    elif len(title) > TITLE_MAX:
        error = f"Title must be {TITLE_MAX} characters or fewer."
    return title, body, error


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create() -> t.Any:
    if request.method == "POST":
        title, body, error = _read_form()
        if error is None:
            db = get_db()
            with db:
                db.execute(
                    "INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)",
                    (title, body, g.user["id"]),
                )
            flash("Your post is published.", "success")
            return redirect(url_for("blog.index"))
        flash(error, "error")
    return render_template("blog/create.html")


@bp.route("/<int:id>/update", methods=("GET", "POST"))
@login_required
def update(id: int) -> t.Any:
    post = get_post(id)
    if request.method == "POST":
        title, body, error = _read_form()
        if error is None:
            db = get_db()
            with db:
                db.execute("UPDATE post SET title = ?, body = ? WHERE id = ?", (title, body, id))
            flash("Your post is updated.", "success")
            return redirect(url_for("blog.index"))
        flash(error, "error")
    return render_template("blog/update.html", post=post)


@bp.post("/<int:id>/delete")
@login_required
def delete(id: int) -> t.Any:
    get_post(id)
    db = get_db()
    with db:
        db.execute("DELETE FROM post WHERE id = ?", (id,))
    flash("Your post is deleted.", "success")
    return redirect(url_for("blog.index"))
