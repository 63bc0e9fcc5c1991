"""Data and constants shared by every benchmark app, so they all serve exactly the same thing."""

from __future__ import annotations

from pathlib import Path

#: Folder of ``fortunes.html``; Flask and vial use it as the app's template folder.
TEMPLATE_DIR = str(Path(__file__).resolve().parent.parent / "templates")

#: How many parametrised rules each app registers before ``/users/<int:user_id>/posts/<slug>``,
#: so that routing cost with a realistic table shows up in that endpoint.
EXTRA_RULES = 100

#: The standard TechEmpower fortunes table, as ``(id, message)`` rows.
FORTUNES: tuple[tuple[int, str], ...] = (
    (1, "fortune: No such file or directory"),
    (2, "A computer scientist is someone who fixes things that aren't broken."),
    (3, "After enough decimal points, nobody gives a damn."),
    (4, "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1"),
    (5, "A computer program does what you tell it to do, not what you want it to do."),
    (6, "Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen"),
    (7, "Any program that runs right is obsolete."),
    (8, "A list is only as strong as its weakest link. \u2014 Donald Knuth"),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
    (12, "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af"),
)

#: The row every request adds before sorting.
EXTRA_FORTUNE = (0, "Additional fortune added at request time.")


def fortune_rows() -> list[tuple[int, str]]:
    """Return this request's rows: the table plus the extra row, sorted by message."""
    rows = [*FORTUNES, EXTRA_FORTUNE]
    rows.sort(key=_message)
    return rows


def _message(row: tuple[int, str]) -> str:
    return row[1]
