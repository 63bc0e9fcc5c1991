"""JSON providers: how an app turns values into JSON and back.

An app holds one provider in ``app.json``; :func:`vial.json.dumps`,
:func:`vial.json.loads` and :func:`vial.json.jsonify` go through it. Subclass
:class:`JSONProvider` (or :class:`DefaultJSONProvider`) to change the
library or its options, and assign an instance to ``app.json`` or the class
to ``Vial.json_provider_class``.
"""

from __future__ import annotations

import codecs
import json
import re
import typing as t
import weakref
from datetime import date

# PERF: orjson (and the dataclasses module it imports) loads on the first JSON
# response, not with vial: about 15 ms of a cold start.
_NOT_LOADED: t.Any = object()
_orjson: t.Any = _NOT_LOADED


def _load_orjson() -> t.Any:
    """The orjson module, or None when it is not installed (imported on first use)."""
    global _orjson
    if _orjson is _NOT_LOADED:
        try:
            import orjson
        except ImportError:  # pragma: no cover - depends on the environment
            _orjson = None
        else:
            _orjson = orjson if _writes_exponent_signs(orjson.__version__) else None
    return _orjson


def _writes_exponent_signs(version: str) -> bool:
    """Whether this orjson writes every float exponent with a sign (``1e+16``), as 3.10
    and later do; :meth:`OrJSONProvider._orjson_compact`'s checks rely on it."""
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (3, 10)


_COMPACT_SEPARATORS = (",", ":")


class JSONProvider:
    """The interface between an app and a JSON library.

    Subclasses implement :meth:`dumps` and :meth:`loads`; the other methods
    are built on those two.

    :param app: the application; it is held through a weak reference.
    """

    def __init__(self, app: t.Any) -> None:
        self._app: t.Any = weakref.proxy(app)

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize ``obj`` to a JSON string.

        :param obj: the value to serialize.
        :param kwargs: options for the underlying library.
        """
        raise NotImplementedError

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        """Serialize ``obj`` as JSON and write it to a text file.

        :param obj: the value to serialize.
        :param fp: a file opened for writing text.
        :param kwargs: options for the underlying library.
        """
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Deserialize a JSON document.

        :param s: the document, as text or bytes.
        :param kwargs: options for the underlying library.
        """
        raise NotImplementedError

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        """Read a file and deserialize the JSON document it holds.

        :param fp: a file opened for reading text or bytes.
        :param kwargs: options for the underlying library.
        """
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> t.Any:
        if args and kwargs:
            raise TypeError("app.json.response() takes either args or kwargs, not both")
        if not args and not kwargs:
            return None
        if len(args) == 1:
            return args[0]
        return args or kwargs

    def response(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Serialize the arguments and wrap them in an ``application/json`` response.

        No arguments serialize ``None``; one positional argument is
        serialized as is; several become a list; keyword arguments become
        an object. Passing both positional and keyword arguments is a
        :exc:`TypeError`.

        :param args: a single value, or several values to treat as a list.
        :param kwargs: items of an object.
        :return: an instance of the app's ``response_class``.
        """
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj), mimetype="application/json")


def _default(o: t.Any) -> t.Any:
    """Turn the types JSON lacks into ones it has; the ``default`` hook of the providers.

    Dates and datetimes become HTTP dates (naive values are taken as UTC),
    :class:`~decimal.Decimal` and :class:`~uuid.UUID` become strings,
    dataclass instances become dicts, and objects with an ``__html__`` method
    (such as :class:`~markupsafe.Markup`) become the string it returns.

    :param o: a value the JSON library could not serialize.
    :raises TypeError: for any other type.
    """
    if isinstance(o, date):
        from .._http_date import http_date

        return http_date(o)
    # PERF: decimal, uuid and dataclasses are imported here, on the first value that
    # needs them, not with vial (dataclasses alone costs about 20 ms of start-up).
    import decimal
    import uuid

    if isinstance(o, (decimal.Decimal, uuid.UUID)):
        return str(o)
    if hasattr(o, "__dataclass_fields__") and not isinstance(o, type):
        import dataclasses

        return dataclasses.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _stdlib_loads(s: str | bytes | bytearray, **kwargs: t.Any) -> t.Any:
    """:func:`json.loads` that reports absurd nesting as a :exc:`ValueError`."""
    try:
        return json.loads(s, **kwargs)
    except RecursionError:
        # The C scanner gives up after about ``sys.getrecursionlimit()``
        # levels, so this is reached in microseconds whatever the input size.
        raise ValueError("JSON nested too deeply") from None


def _checked_depth(source: str | bytes | bytearray, value: t.Any, limit: int | None) -> t.Any:
    """``value`` (parsed from ``source``) unless its arrays and objects nest past ``limit``."""
    # PERF: a document of at most ``limit`` characters cannot nest deeper than that.
    if limit is None or len(source) <= limit or not isinstance(value, (dict, list)):
        return value
    # PERF: a document with no more than ``limit`` opening brackets cannot nest deeper;
    # counting them is a C loop, and the walk below is only for documents that could.
    if isinstance(source, str):
        opened = source.count("[") + source.count("{")
    else:
        opened = source.count(b"[") + source.count(b"{")
    if opened <= limit:
        return value
    stack: list[tuple[t.Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise ValueError(f"JSON nested too deeply (more than {limit} levels)")
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return value


def _compact_encode_function(
    default: t.Callable[[t.Any], t.Any], ensure_ascii: bool, sort_keys: bool
) -> t.Callable[[t.Any], str]:
    """A function giving ``json.dumps(obj, separators=(",", ":"), ...)`` for these options."""
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:  # a Python built without the _json accelerator
        return json.JSONEncoder(
            default=default,
            ensure_ascii=ensure_ascii,
            sort_keys=sort_keys,
            separators=_COMPACT_SEPARATORS,
        ).encode
    string_encoder = (
        json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    )
    item_separator, key_separator = _COMPACT_SEPARATORS

    def encode(obj: t.Any) -> str:
        # A fresh dict of the objects being encoded each time, as json.dumps' check for
        # values that contain themselves (ValueError) needs; one shared dict would be a
        # data race between threads.
        encode_chunks = make_encoder(
            {},
            default,
            string_encoder,
            None,
            key_separator,
            item_separator,
            sort_keys,
            False,
            True,
        )
        return "".join(encode_chunks(obj, 0))

    return encode


class DefaultJSONProvider(JSONProvider):
    """JSON through the standard library's :mod:`json`.

    Besides JSON's own types it serializes dates and datetimes (as HTTP
    dates), :class:`~decimal.Decimal`, :class:`~uuid.UUID`, dataclasses and
    objects with an ``__html__`` method; see :attr:`default`.

    :param app: the application; it is held through a weak reference.
    """

    #: Called for objects :mod:`json` cannot serialize; returns something it
    #: can or raises :exc:`TypeError`. Replace it on a subclass or instance.
    default: t.Callable[[t.Any], t.Any] = staticmethod(_default)

    #: Escape non-ASCII characters as ``\uXXXX``.
    ensure_ascii = True

    #: Sort the keys of objects, which keeps output stable (and cacheable).
    sort_keys = True

    #: ``True`` for output without whitespace, ``False`` for indented output,
    #: ``None`` to indent only in debug mode. Used by :meth:`response`.
    compact: bool | None = None

    #: The mimetype of :meth:`response`.
    mimetype = "application/json"

    #: The deepest nesting of arrays and objects :meth:`loads` accepts; deeper documents
    #: raise :exc:`ValueError` (so ``request.get_json()`` answers 400). Python's own
    #: limit is near 1,000 levels, but a document parsed that deep cannot be written
    #: back (``jsonify``, the session) without a :exc:`RecursionError`, a 500. ``None``
    #: accepts what the parser accepts, as Flask does.
    max_depth: int | None = 256

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize ``obj`` to a JSON string with :func:`json.dumps`.

        :attr:`default`, :attr:`ensure_ascii` and :attr:`sort_keys` apply
        unless ``kwargs`` overrides them.

        :param obj: the value to serialize.
        :param kwargs: passed to :func:`json.dumps`.
        """
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return json.dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Deserialize a JSON document with :func:`json.loads`.

        Bytes may be UTF-8, UTF-16 or UTF-32; the encoding is detected.

        :param s: the document, as text or bytes.
        :param kwargs: passed to :func:`json.loads`.
        :raises ValueError: if the document is not valid JSON, including
            when it is nested deeper than :attr:`max_depth`.
        """
        return _checked_depth(s, _stdlib_loads(s, **kwargs), self.max_depth)

    # (default, ensure_ascii, sort_keys, encode) for _stdlib_compact.
    _compact_encoder: tuple[t.Any, bool, bool, t.Callable[[t.Any], str]] | None = None

    def _is_compact(self) -> bool:
        if self.compact is None:
            return not self._app.debug
        return self.compact

    def _stdlib_compact(self, obj: t.Any) -> str:
        """``json.dumps(obj, separators=(",", ":"))`` with this provider's settings."""
        # PERF: json.dumps builds a JSONEncoder on every call when given any option,
        # and JSONEncoder.encode adds a closure and two Python calls around the C
        # encoder; calling the C encoder alone took a small response from 5.2 to
        # 1.0 µs. It is rebuilt if default, ensure_ascii or sort_keys are changed.
        cached = self._compact_encoder
        if (
            cached is None
            or cached[0] is not self.default
            or cached[1] is not self.ensure_ascii
            or cached[2] is not self.sort_keys
        ):
            cached = self._compact_encoder = (
                self.default,
                self.ensure_ascii,
                self.sort_keys,
                _compact_encode_function(self.default, self.ensure_ascii, self.sort_keys),
            )
        return cached[3](obj)

    def _compact_body(self, obj: t.Any) -> str | bytes:
        """The body of a compact response; a subclass's own ``dumps`` is respected."""
        if type(self).dumps is DefaultJSONProvider.dumps:
            return self._stdlib_compact(obj) + "\n"
        return self.dumps(obj, separators=_COMPACT_SEPARATORS) + "\n"

    def response(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Serialize the arguments and wrap them in a response of :attr:`mimetype`.

        The body ends with a newline. It is compact unless :attr:`compact` is
        ``False``, or ``None`` with the app in debug mode, in which case it
        is indented by two spaces.

        :param args: a single value, or several values to treat as a list.
        :param kwargs: items of an object.
        :return: an instance of the app's ``response_class``.
        """
        obj = self._prepare_response_obj(args, kwargs)
        body = self._compact_body(obj) if self._is_compact() else self.dumps(obj, indent=2) + "\n"
        return self._app.response_class(body, mimetype=self.mimetype)


# Output of orjson that may differ from json.dumps: floats it writes in
# another notation (``1e+16`` where repr gives ``1e+16`` is the same, but
# ``1e-7`` vs ``1e-07`` and ``0.00001`` vs ``1e-05`` are not), and ``null``,
# which orjson also writes for NaN and infinities (json writes
# ``NaN``/``Infinity``). orjson 3.10 and later (older ones are not used) write
# every exponent with a sign, so ``e+``, ``e-`` and ``0.0000`` find the floats;
# a ``null`` is checked by reading the output back (_nulls_are_nones). A match
# inside a string only costs a fallback.


def _escape_for_ascii(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler that writes a run of non-ASCII characters of JSON text
    the way ``json.dumps(ensure_ascii=True)`` does (``\\u00e9``, surrogate pairs).

    PERF: ``text.encode("ascii", handler)`` scans in C and calls this once per run; a
    regular expression substitution took 2.5 µs on a 200-character document, this 1 µs.
    """
    assert isinstance(error, UnicodeEncodeError)
    run = error.object[error.start : error.end]
    return json.encoder.encode_basestring_ascii(run)[1:-1], error.end


_ASCII_ESCAPES = "vial.json.ensure_ascii"
codecs.register_error(_ASCII_ESCAPES, _escape_for_ascii)


_BUILTIN_BASES = (str, int, float, dict, list, tuple)


def _orjson_default(value: t.Any) -> t.Any:
    """orjson's ``default``: :func:`_default`, except for subclasses of the builtin types.

    orjson is told to hand those over (``OPT_PASSTHROUGH_SUBCLASS``): it would write a
    dict subclass from its storage, where json writes what ``items()`` gives (a
    ``MultiDict``'s first values, an ``OrderedDict``'s order), and a str subclass from
    its text where ``default`` might be asked. Refusing them sends the value to json.
    """
    if isinstance(value, _BUILTIN_BASES):
        raise TypeError(f"{type(value).__name__} is written by json")
    return _default(value)


def _nulls_are_nones(orjson: t.Any, out: bytes, obj: t.Any, option: int) -> bool:
    """Whether every ``null`` orjson wrote for ``obj`` stands for a ``None``.

    orjson also writes ``null`` for NaN and the infinities, which json writes as ``NaN``
    and ``Infinity``. Read back, such a float becomes ``None``, which no float equals, so
    the value read back equals ``obj`` only if it held none of them. The comparison is
    trusted only for a value of exact builtin types (and the few orjson writes itself,
    such as UUIDs), whose ``==`` is Python's own: one more ``orjson.dumps`` without
    ``default`` tells, as it refuses anything else. A tuple also makes the two differ:
    a needless fallback, never a wrong answer.

    PERF: the second dump, parsing and comparing, all in C, cost about 1.2 µs on a
    200-byte document, where json's encoder takes 3 µs, and a walk in Python more.
    """
    try:
        orjson.dumps(obj, option=option)
    except TypeError:  # something went through default: json decides
        return False
    return bool(orjson.loads(out) == obj)


class OrJSONProvider(DefaultJSONProvider):
    """:class:`DefaultJSONProvider` made faster with ``orjson`` where it gives the same output.

    Compact output (:meth:`response` when compact, or :meth:`dumps` with
    ``separators=(",", ":")`` and no other options) is produced by orjson
    and checked; anything orjson would write differently, cannot write, or
    any other option, goes through :mod:`json` as in
    :class:`DefaultJSONProvider`. Output is byte for byte the same as
    :class:`DefaultJSONProvider`'s, with one exception: orjson serializes
    :class:`~enum.Enum` members by their value, where :mod:`json` calls
    :attr:`default`, which raises :exc:`TypeError`. With a :attr:`default`
    other than the stock one (``app.json.default = ...``), which may handle
    Enum members its own way, compact output goes through :mod:`json` too.

    :meth:`loads` also uses orjson, falling back to :mod:`json` for what it
    rejects or might read differently (integers of 19 or more digits,
    ``NaN``, lone surrogates, encodings other than UTF-8).

    Without orjson installed it behaves exactly as
    :class:`DefaultJSONProvider`.

    .. _orjson: https://github.com/ijl/orjson
    """

    def _orjson_compact(self, obj: t.Any) -> str | bytes | None:
        """orjson's compact output for ``obj``: bytes if ASCII, else str; None to fall back."""
        orjson = _orjson if _orjson is not _NOT_LOADED else _load_orjson()
        if orjson is None:
            return None
        if self.default is not _default:
            # A default of the app's own (app.json.default = ..., or a subclass's)
            # may turn Enum members into something else; orjson would write their
            # value without calling it. json calls it, as in Flask.
            return None
        option = (
            orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS
            | orjson.OPT_PASSTHROUGH_SUBCLASS
        )
        if self.sort_keys:
            option |= orjson.OPT_SORT_KEYS
        try:
            out: bytes = orjson.dumps(obj, default=_orjson_default, option=option)
        except TypeError:
            # orjson.JSONEncodeError is a TypeError: a type it does not know
            # (after ``default``), a big int, a non-str key, too much nesting.
            # json.dumps gives the result or the error users expect.
            return None
        # PERF: the tests run on a str of the same characters (latin-1 maps each byte to
        # one): ``bytes in bytes`` first tries its argument as an integer and clears the
        # TypeError, about 2,000 instructions a test where a str test costs 300, and a
        # regular expression search costs as much again.
        text = out.decode("latin-1")
        is_ascii = out.isascii()
        has_null = "null" in text
        if has_null and self.ensure_ascii and not is_ascii:
            # PERF: reading back and escaping each cost about 1 µs on a small document,
            # together more than json's own encoder: such a document goes there at once.
            return None
        if "0.0000" in text or "e+" in text or "e-" in text:
            return None
        if has_null and not _nulls_are_nones(orjson, out, obj, option):
            return None
        if is_ascii and "\x7f" not in text:
            return out
        text = out.decode()
        if self.ensure_ascii:
            # What ensure_ascii escapes: everything outside printable ASCII. orjson has
            # already escaped the control characters, so only DEL and non-ASCII remain
            # (and DEL, ASCII itself, only inside strings).
            return text.replace("\x7f", "\\u007f").encode("ascii", _ASCII_ESCAPES)
        return text

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize ``obj`` to a JSON string, the same as :class:`DefaultJSONProvider`.

        :param obj: the value to serialize.
        :param kwargs: passed to :func:`json.dumps`; only
            ``separators=(",", ":")`` alone takes the orjson path.
        """
        if len(kwargs) == 1 and tuple(kwargs.get("separators", ())) == _COMPACT_SEPARATORS:
            out = self._orjson_compact(obj)
            if out is None:
                return self._stdlib_compact(obj)
            return out if isinstance(out, str) else out.decode("ascii")
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Deserialize a JSON document, the same as :class:`DefaultJSONProvider`.

        :param s: the document, as text or bytes.
        :param kwargs: passed to :func:`json.loads`; any option skips orjson.
        :raises ValueError: if the document is not valid JSON, including
            when it is nested too deeply to parse.
        """
        orjson = _load_orjson()
        if orjson is not None and not kwargs and isinstance(s, (str, bytes, bytearray)):
            # orjson turns integers that overflow 64 bits into floats without
            # a word; 19 digits in a row may be such an integer.
            if isinstance(s, str):
                long_digits = (
                    sum(map(s.count, "0123456789")) >= 19 and _LONG_DIGITS_STR.search(s) is not None
                )
            else:
                # PERF: fewer than 19 digits in all cannot make 19 in a row; counting
                # them is far cheaper than the search (3 us on a 200-byte body).
                long_digits = (
                    len(s) - len(s.translate(None, _DIGITS)) >= 19
                    and _LONG_DIGITS_BYTES.search(s) is not None
                )
            if not long_digits:
                try:
                    value = orjson.loads(s)
                except ValueError:
                    pass  # orjson is stricter; json decides, and words the error.
                else:
                    limit = self.max_depth
                    # PERF: _checked_depth's first test, without its call: a document of
                    # at most ``limit`` characters cannot nest deeper (about 500 instructions).
                    if limit is None or len(s) <= limit:
                        return value
                    return _checked_depth(s, value, limit)
        return _checked_depth(s, _stdlib_loads(s, **kwargs), self.max_depth)

    def _compact_body(self, obj: t.Any) -> str | bytes:
        if type(self).dumps is not OrJSONProvider.dumps:
            return self.dumps(obj, separators=_COMPACT_SEPARATORS) + "\n"
        out = self._orjson_compact(obj)
        if out is None:
            return self._stdlib_compact(obj) + "\n"
        if isinstance(out, bytes):
            # PERF: ASCII output stays bytes, the form the response sends,
            # which saves a decode here and an encode in the response.
            return out + b"\n"
        return out + "\n"


_LONG_DIGITS_STR = re.compile("[0-9]{19}")
_LONG_DIGITS_BYTES = re.compile(b"[0-9]{19}")
_DIGITS = b"0123456789"


def default_provider_class() -> type[JSONProvider]:
    """The provider class an app uses unless told otherwise.

    :return: :class:`OrJSONProvider` when orjson is installed, else
        :class:`DefaultJSONProvider`.
    """
    if _orjson is _NOT_LOADED:
        from importlib.util import find_spec

        installed = find_spec("orjson") is not None
    else:
        installed = _orjson is not None
    return OrJSONProvider if installed else DefaultJSONProvider
