"""URL converters: the ``<int:id>`` part of a rule, turning path text into values and back.

A converter has a ``regex`` that one URL part must match, a ``weight`` that orders
rules (lower is tried first), and ``to_python`` / ``to_url``. Raise
:class:`ValidationError` from ``to_python`` to say "this rule does not match after
all"; the router then tries the next candidate.

Register your own on a map: ``app.url_map.converters["list"] = ListConverter``.
"""

from __future__ import annotations

import re
import typing as t

from ._quoting import quote_path

if t.TYPE_CHECKING:
    import uuid

    from .map import Map


def regex_may_match_slash(regex: str) -> bool:
    """Whether a converter regex may match ``/`` (a ``/`` outside ``[^...]`` classes)."""
    return "/" in _NEGATED_CLASS_RE.sub("", regex)


_NEGATED_CLASS_RE = re.compile(r"\[\^(?:\\.|[^\]\\])*\]")


class ValidationError(ValueError):
    """Raised from :meth:`BaseConverter.to_python` when the value does not fit."""


class BaseConverter:
    """Base class of converters: matches one path segment and keeps it a string.

    :param map: the :class:`Map` the converter belongs to.

    ``part_isolating`` says the regex never matches a ``/``; subclasses that set a
    ``regex`` get it computed automatically unless they set it themselves.
    """

    regex: str = "[^/]+"
    weight: int = 100
    part_isolating: bool = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "regex" in cls.__dict__ and "part_isolating" not in cls.__dict__:
            cls.part_isolating = not regex_may_match_slash(cls.regex)

    def __init__(self, map: Map, *args: t.Any, **kwargs: t.Any) -> None:
        self.map = map

    def to_python(self, value: str) -> t.Any:
        """Turn the matched text into the view argument."""
        return value

    def to_url(self, value: t.Any) -> str:
        """Turn a value into URL text, percent-encoded."""
        return quote_path(str(value))


class UnicodeConverter(BaseConverter):
    """The default converter (``string``): any text without a slash.

    :param minlength: the minimum length of the text.
    :param maxlength: the maximum length of the text.
    :param length: the exact length; overrides the other two.
    """

    def __init__(
        self,
        map: Map,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map)
        if length is not None:
            count = f"{{{int(length)}}}"
        else:
            upper = "" if maxlength is None else str(int(maxlength))
            count = f"{{{int(minlength)},{upper}}}"
        self.regex = f"[^/]{count}"


class AnyConverter(BaseConverter):
    """Matches one of the given words: ``<any(about, help, imprint):page>``.

    :param items: the words allowed.
    """

    def __init__(self, map: Map, *items: str) -> None:
        super().__init__(map)
        if not items:
            raise ValueError("the 'any' converter needs at least one item")
        self.items = set(items)
        self.regex = "(?:{})".format("|".join(re.escape(item) for item in items))

    def to_url(self, value: t.Any) -> str:
        if value in self.items:
            return super().to_url(value)
        valid = ", ".join(repr(item) for item in sorted(self.items))
        raise ValueError(f"{value!r} is not one of {valid}")


class PathConverter(BaseConverter):
    """Like the default converter but also matches slashes: ``<path:filename>``."""

    regex = "[^/].*?"
    weight = 200
    part_isolating = False


class NumberConverter(BaseConverter):
    """Shared base of :class:`IntegerConverter` and :class:`FloatConverter`."""

    weight = 50
    num_convert: t.Callable[[t.Any], t.Any] = int

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        if signed:
            self.regex = "-?" + self.regex
        super().__init__(map)
        self.fixed_digits = fixed_digits
        self.min = min
        self.max = max
        self.signed = signed

    def to_python(self, value: str) -> t.Any:
        if self.fixed_digits and len(value) != self.fixed_digits:
            raise ValidationError()
        number = self.num_convert(value)
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise ValidationError()
        return number

    def to_url(self, value: t.Any) -> str:
        text = str(self.num_convert(value))
        if self.fixed_digits:
            text = text.zfill(self.fixed_digits)
        return text


class IntegerConverter(NumberConverter):
    """Matches non-negative integers (``signed=True`` allows ``-``): ``<int:id>``.

    :param fixed_digits: the exact number of digits (values are zero-padded).
    :param min: the smallest accepted value.
    :param max: the largest accepted value.
    :param signed: accept negative values.
    """

    regex = r"\d+"


class FloatConverter(NumberConverter):
    """Matches decimals such as ``1.5`` (``signed=True`` allows ``-``): ``<float:x>``.

    :param min: the smallest accepted value.
    :param max: the largest accepted value.
    :param signed: accept negative values.
    """

    regex = r"\d+\.\d+"
    num_convert = float

    def __init__(
        self,
        map: Map,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map, min=min, max=max, signed=signed)


class UUIDConverter(BaseConverter):
    """Matches a UUID in its canonical hex-and-dashes form; the value is a :class:`uuid.UUID`."""

    regex = (
        "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"
    )

    def __init__(self, map: Map, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(map, *args, **kwargs)
        # uuid (which imports platform) loads with the first uuid rule, not with vial.
        import uuid

        self._uuid_class = uuid.UUID

    def to_python(self, value: str) -> uuid.UUID:
        return self._uuid_class(value)

    def to_url(self, value: t.Any) -> str:
        return str(value)


DEFAULT_CONVERTERS: t.Mapping[str, type[BaseConverter]] = {
    "default": UnicodeConverter,
    "string": UnicodeConverter,
    "any": AnyConverter,
    "path": PathConverter,
    "int": IntegerConverter,
    "float": FloatConverter,
    "uuid": UUIDConverter,
}

# Compiled on the first rule with converter arguments (re caches it), not with vial.
_ARG_PATTERN = r"""
    \s*
    (?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*)?
    (?P<value>
        "(?:[^"\\]|\\.)*"          # double-quoted string
      | '(?:[^'\\]|\\.)*'          # single-quoted string
      | [^\s,"'=()]+               # a bare word or number
    )
    \s*(?P<sep>,|$)
"""

_CONSTANTS: dict[str, t.Any] = {"True": True, "False": False, "None": None}


def _convert_value(text: str) -> t.Any:
    if text[0] in "\"'":
        import ast  # only for quoted converter arguments, when rules are added

        return ast.literal_eval(text)
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_converter_args(argstr: str) -> tuple[tuple[t.Any, ...], dict[str, t.Any]]:
    """Parse the text between a converter's parentheses into args and kwargs.

    Values are Python-literal-ish: numbers, ``True``/``False``/``None``, quoted
    strings, and bare words (taken as strings). Raises :class:`ValueError` on
    anything else.
    """
    args: list[t.Any] = []
    kwargs: dict[str, t.Any] = {}
    text = argstr.strip()
    arg_re = re.compile(_ARG_PATTERN, re.VERBOSE)
    pos = 0
    while pos < len(text):
        match = arg_re.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot parse converter arguments {argstr!r}")
        value = _convert_value(match.group("value"))
        name = match.group("name")
        if name is None:
            if kwargs:
                raise ValueError(
                    f"positional converter argument after keyword ones in {argstr!r}"
                )
            args.append(value)
        else:
            kwargs[name] = value
        pos = match.end()
        if match.group("sep") == "," and pos >= len(text):
            break
    return tuple(args), kwargs
