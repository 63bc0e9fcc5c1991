"""JSON helpers that follow the current app's settings.

Inside an app context each function goes through the app's provider,
``current_app.json`` (see :mod:`vial.json.provider`); outside one they use
the standard library's :mod:`json` with :func:`~vial.json.provider._default`
for dates, decimals, UUIDs, dataclasses and HTML strings.
"""

from __future__ import annotations

import json as _json
import typing as t

from .provider import _default, _stdlib_loads

if t.TYPE_CHECKING:
    from .provider import JSONProvider

__all__ = ["dump", "dumps", "jsonify", "load", "loads"]


def _app_provider() -> JSONProvider | None:
    """The current app's provider, or None outside an app context."""
    # Imported here: the app core imports this package.
    from ..ctx import has_app_context

    if not has_app_context():
        return None
    from ..globals import current_app

    provider: JSONProvider = current_app.json
    return provider


def dumps(obj: t.Any, **kwargs: t.Any) -> str:
    """Serialize ``obj`` to a JSON string.

    With an app context this is ``current_app.json.dumps(obj, **kwargs)``,
    which by default sorts keys and escapes non-ASCII characters. Without
    one, :func:`json.dumps` is used with dates, decimals, UUIDs, dataclasses
    and objects with ``__html__`` made serializable.

    :param obj: the value to serialize.
    :param kwargs: options for the JSON library.
    """
    provider = _app_provider()
    if provider is not None:
        return provider.dumps(obj, **kwargs)
    kwargs.setdefault("default", _default)
    return _json.dumps(obj, **kwargs)


def dump(obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
    """Serialize ``obj`` as JSON and write it to a text file.

    :param obj: the value to serialize.
    :param fp: a file opened for writing text.
    :param kwargs: options for the JSON library.
    """
    provider = _app_provider()
    if provider is not None:
        provider.dump(obj, fp, **kwargs)
        return
    kwargs.setdefault("default", _default)
    _json.dump(obj, fp, **kwargs)


def loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    """Deserialize a JSON document.

    Bytes may be UTF-8, UTF-16 or UTF-32; the encoding is detected.

    :param s: the document, as text or bytes.
    :param kwargs: options for the JSON library.
    :raises ValueError: if the document is not valid JSON, including when
        it is nested too deeply to parse.
    """
    provider = _app_provider()
    if provider is not None:
        return provider.loads(s, **kwargs)
    return _stdlib_loads(s, **kwargs)


def load(fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
    """Read a file and deserialize the JSON document it holds.

    :param fp: a file opened for reading text or bytes.
    :param kwargs: options for the JSON library.
    :raises ValueError: if the document is not valid JSON.
    """
    provider = _app_provider()
    if provider is not None:
        return provider.load(fp, **kwargs)
    return _stdlib_loads(fp.read(), **kwargs)


def jsonify(*args: t.Any, **kwargs: t.Any) -> t.Any:
    """Serialize the arguments to JSON and return an ``application/json`` response.

    ``jsonify()`` gives ``null``, ``jsonify(value)`` gives ``value``,
    ``jsonify(1, 2)`` gives a list and ``jsonify(a=1)`` an object; mixing
    positional and keyword arguments is a :exc:`TypeError`. Output is
    compact, or indented when the app is in debug mode.

    This is ``current_app.json.response(*args, **kwargs)`` and needs an app
    context.

    .. code-block:: python

        @app.get("/users/<int:user_id>")
        def user(user_id):
            return jsonify(id=user_id, name=load_name(user_id))

    :param args: a single value, or several values to treat as a list.
    :param kwargs: items of an object.
    :raises RuntimeError: outside an app context.
    """
    from ..globals import current_app

    return current_app.json.response(*args, **kwargs)
