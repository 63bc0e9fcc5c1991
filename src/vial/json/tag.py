"""Tagged JSON: lossless JSON for a few types JSON lacks.

The session cookie is stored with :class:`TaggedJSONSerializer`. A value of
a type JSON cannot represent is written as an object with a single key, the
tag (which starts with a space so it will not clash with ordinary keys), and
the tag turns it back into the original type on loading::

    >>> s = TaggedJSONSerializer()
    >>> s.dumps({"when": (1, b"x")})
    '{"when":{" t":[1,{" b":"eA=="}]}}'
    >>> s.loads(_)
    {'when': (1, b'x')}

Built in: :class:`tuple` (`` t``), :class:`bytes` (`` b``), objects with an
``__html__`` method such as :class:`~markupsafe.Markup` (`` m``),
:class:`~uuid.UUID` (`` u``) and :class:`~datetime.datetime` (`` d``), plus
dicts and lists, walked recursively. A dict whose only key is a tag is
escaped (`` di``) so that it loads back as a dict.

To support another type, subclass :class:`JSONTag`, give it a unique
:attr:`~JSONTag.key` and register it::

    class TagOrderedDict(JSONTag):
        __slots__ = ()
        key = " od"

        def check(self, value):
            return isinstance(value, OrderedDict)

        def to_json(self, value):
            return [[k, self.serializer.tag(v)] for k, v in value.items()]

        def to_python(self, value):
            return OrderedDict(value)

    app.session_interface.serializer.register(TagOrderedDict, index=0)
"""

from __future__ import annotations

import typing as t
from base64 import b64decode, b64encode
from datetime import datetime
from uuid import UUID

from markupsafe import Markup

from .._http_date import http_date, parse_date
from . import dumps, loads

__all__ = [
    "JSONTag",
    "PassDict",
    "PassList",
    "TagBytes",
    "TagDateTime",
    "TagDict",
    "TagMarkup",
    "TagTuple",
    "TagUUID",
    "TaggedJSONSerializer",
]


class JSONTag:
    """A type the :class:`TaggedJSONSerializer` can write and read back.

    :param serializer: the serializer this tag is registered with; use it to
        tag nested values.
    """

    __slots__ = ("serializer",)

    #: The tag, written as the single key of the object that holds the
    #: value. An empty key means the tag only transforms values in place
    #: (as for dicts and lists) and is never looked up when loading.
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: t.Any) -> bool:
        """Whether this tag handles ``value``.

        :param value: the value being tagged.
        """
        raise NotImplementedError

    def to_json(self, value: t.Any) -> t.Any:
        """Turn ``value`` into something JSON can hold (tagging nested values).

        :param value: a value for which :meth:`check` is true.
        """
        raise NotImplementedError

    def to_python(self, value: t.Any) -> t.Any:
        """Turn what :meth:`to_json` produced back into the original value.

        :param value: the JSON value found under this tag.
        """
        raise NotImplementedError

    def tag(self, value: t.Any) -> t.Any:
        """Convert ``value`` and wrap it in an object keyed by this tag.

        :param value: a value for which :meth:`check` is true.
        """
        return {self.key: self.to_json(value)}


class TagDict(JSONTag):
    """Escapes a dict whose only key is a registered tag, so it is not read as a tagged value.

    ``{" t": 1}`` is written as ``{" di": {" t__": 1}}``.
    """

    __slots__ = ()
    key = " di"

    def check(self, value: t.Any) -> bool:
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: t.Any) -> t.Any:
        key = next(iter(value))
        return {f"{key}__": self.serializer.tag(value[key])}

    def to_python(self, value: t.Any) -> t.Any:
        key = next(iter(value))
        return {key[:-2]: value[key]}


class PassDict(JSONTag):
    """Tags the values of a dict; the dict itself stays an object."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, dict)

    def to_json(self, value: t.Any) -> t.Any:
        tag = self.serializer.tag
        return {k: tag(v) for k, v in value.items()}

    tag = to_json


class TagTuple(JSONTag):
    """A :class:`tuple`, written as a list of its tagged items."""

    __slots__ = ()
    key = " t"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, tuple)

    def to_json(self, value: t.Any) -> t.Any:
        tag = self.serializer.tag
        return [tag(item) for item in value]

    def to_python(self, value: t.Any) -> t.Any:
        return tuple(value)


class PassList(JSONTag):
    """Tags the items of a list; the list itself stays an array."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, list)

    def to_json(self, value: t.Any) -> t.Any:
        tag = self.serializer.tag
        return [tag(item) for item in value]

    tag = to_json


class TagBytes(JSONTag):
    """:class:`bytes`, written in base64."""

    __slots__ = ()
    key = " b"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, bytes)

    def to_json(self, value: t.Any) -> t.Any:
        return b64encode(value).decode("ascii")

    def to_python(self, value: t.Any) -> t.Any:
        return b64decode(value)


class TagMarkup(JSONTag):
    """An object with an ``__html__`` method, loaded back as :class:`~markupsafe.Markup`."""

    __slots__ = ()
    key = " m"

    def check(self, value: t.Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: t.Any) -> t.Any:
        return str(value.__html__())

    def to_python(self, value: t.Any) -> t.Any:
        return Markup(value)


class TagUUID(JSONTag):
    """A :class:`~uuid.UUID`, written as 32 hex digits."""

    __slots__ = ()
    key = " u"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, UUID)

    def to_json(self, value: t.Any) -> t.Any:
        return value.hex

    def to_python(self, value: t.Any) -> t.Any:
        return UUID(value)


class TagDateTime(JSONTag):
    """A :class:`~datetime.datetime`, written as an HTTP date.

    The precision is one second, and the value loads back as an aware UTC
    datetime (a naive one is taken to be UTC).
    """

    __slots__ = ()
    key = " d"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: t.Any) -> t.Any:
        return http_date(value)

    def to_python(self, value: t.Any) -> t.Any:
        rv = parse_date(value)
        if rv is None:
            raise ValueError(f"Invalid tagged datetime {value!r}.")
        return rv


class TaggedJSONSerializer:
    """Serializes values to compact JSON with tags for extra types, and back.

    Tags are tried in :attr:`order`; the first whose
    :meth:`~JSONTag.check` accepts a value converts it. Values no tag
    accepts are left to the JSON provider (see :func:`vial.json.dumps`).
    """

    __slots__ = ("order", "tags")

    #: The tag classes a new serializer registers, in order.
    default_tags: t.ClassVar[list[type[JSONTag]]] = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        #: Registered tags by key.
        self.tags: dict[str, JSONTag] = {}
        #: Registered tags in the order they are tried.
        self.order: list[JSONTag] = []
        for cls in self.default_tags:
            self.register(cls)

    def register(
        self, tag_class: type[JSONTag], force: bool = False, index: int | None = None
    ) -> None:
        """Register a new tag.

        :param tag_class: the :class:`JSONTag` subclass; it is instantiated
            with this serializer.
        :param force: replace a tag registered under the same key instead of
            raising; the new tag takes the old one's place unless ``index``
            is given.
        :param index: where in :attr:`order` to insert the tag (``0`` to try
            it before the built-in ones); ``None`` appends it.
        :raises KeyError: if the key is taken and ``force`` is false.
        """
        tag = tag_class(self)
        key = tag.key
        if key:
            if not force and key in self.tags:
                raise KeyError(f"Tag '{key}' is already registered.")
            old = self.tags.get(key)
            self.tags[key] = tag
            if old is not None:
                position = self.order.index(old)
                if index is None:
                    # A replacement keeps the place of the tag it replaces.
                    self.order[position] = tag
                    return
                del self.order[position]
        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: t.Any) -> t.Any:
        """Convert ``value`` into tagged, JSON-serializable form.

        :param value: the value to convert.
        """
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value

    def untag(self, value: dict[str, t.Any]) -> t.Any:
        """Convert a tagged object back; other dicts are returned unchanged.

        Only the top level is converted; nested values are expected to have
        been untagged already.

        :param value: a dict decoded from JSON.
        """
        if len(value) != 1:
            return value
        key = next(iter(value))
        tag = self.tags.get(key)
        if tag is None:
            return value
        return tag.to_python(value[key])

    def _untag_scan(self, value: t.Any) -> t.Any:
        if isinstance(value, dict):
            return self.untag({k: self._untag_scan(v) for k, v in value.items()})
        if isinstance(value, list):
            return [self._untag_scan(item) for item in value]
        return value

    def dumps(self, value: t.Any) -> str:
        """Tag ``value`` and serialize it to compact JSON.

        :param value: the value to serialize.
        """
        return dumps(self.tag(value), separators=(",", ":"))

    def loads(self, value: str | bytes) -> t.Any:
        """Deserialize JSON and convert tagged values back.

        :param value: JSON produced by :meth:`dumps`.
        :raises ValueError: if the JSON is invalid or a tagged value is
            malformed.
        """
        return self._untag_scan(loads(value))
