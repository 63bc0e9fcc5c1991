"""Registration, logging in and out, and ``login_required``."""

from __future__ import annotations

import functools
import sqlite3
import typing as t

from vial import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from vial.security import check_password_hash, generate_password_hash

from .db import get_db
from .urls import safe_next_url

bp = Blueprint("auth", __name__, url_prefix="/auth")

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the logged-in user's row (or None) on ``g.user`` for views and templates."""
    user_id = session.get("user_id")
    g.user = (
        None
        if user_id is None
        else get_db().execute("SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()
    )


def login_required(view: F) -> F:
    """Send anonymous visitors to the login page, and back here once logged in."""

    @functools.wraps(view)
    def wrapped_view(**kwargs: t.Any) -> t.Any:
        if g.user is None:
            here = request.full_path if request.query_string else request.path
            return redirect(url_for("auth.login", next=here))
        return view(**kwargs)

    return t.cast(F, wrapped_view)


@bp.route("/register", methods=("GET", "POST"))
def register() -> t.Any:
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        error = None
        if not username:
            error = "Username is required."
        elif len(username) > 40:
            error = "Username must be 40 characters or fewer."
        elif not password:
            error = "Password is required."

        if error is None:
            db = get_db()
            try:
                with db:
                    db.execute(
                        "INSERT INTO user (username, password) VALUES (?, ?)",
                        (username, generate_password_hash(password)),
                    )
            except sqlite3.IntegrityError:
                error = f"User {username} is already registered."
            else:
                flash("Registered. You can log in now.", "success")
                return redirect(url_for("auth.login"))

        flash(error, "error")
    return render_template("auth/register.html")


@bp.route("/login", methods=("GET", "POST"))
def login() -> t.Any:
    next_url = request.values.get("next")
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = get_db().execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
        # One message for both mistakes, so the form does not reveal who has an account.
        if user is None or not check_password_hash(user["password"], password):
            flash("Incorrect username or password.", "error")
        else:
            # A fresh session on login: nothing from before (a planted session, an old
            # CSRF token) carries over.
            session.clear()
            session["user_id"] = user["id"]
            flash(f"Welcome back, {user['username']}.", "success")
            return redirect(safe_next_url(next_url, url_for("index")))
    return render_template("auth/login.html", next_url=next_url)


@bp.post("/logout")
def logout() -> t.Any:
    # A POST (with the CSRF token), so another site cannot log visitors out.
    session.clear()
    flash("You have been logged out.", "success")
    return redirect(url_for("index"))
