"""``Authorization`` credentials and ``WWW-Authenticate`` challenges (RFC 9110 section 11)."""

from __future__ import annotations

import base64
import binascii
import typing as t
from collections.abc import Callable, Mapping

from .._http_header import dump_header, parse_dict_header, quote_header_value


def _split_credentials(value: str) -> tuple[str, str] | None:
    scheme, _, rest = value.strip(" \t").partition(" ")
    if not scheme:
        return None
    return scheme.lower(), rest.strip(" \t")


def _parse_auth_params(rest: str) -> tuple[dict[str, str], str | None]:
    """Split what follows the scheme into parameters or a token.

    As Werkzeug does, an ``=`` anywhere but at the end means ``key=value``
    parameters; anything else is the token, whole, even with characters RFC
    9110's token68 does not allow (``MyToken this-is-the-token!``), since API
    token schemes send such values and extensions read them from ``token``.
    """
    if not rest:
        return {}, None
    if "=" not in rest.rstrip("="):
        return {}, rest
    params = {k.lower(): v for k, v in parse_dict_header(rest).items() if v is not None}
    return params, None


class Authorization:
    """The credentials of an ``Authorization`` header.

    Parameters are readable as attributes (``auth.username``, ``auth.realm``,
    ``auth.nonce``); a missing one reads as ``None``.

    >>> auth = Authorization("basic", {"username": "ann", "password": "pw"})
    >>> auth.to_header()
    'Basic YW5uOnB3'

    :param auth_type: the scheme, lower-cased, e.g. ``"basic"``, ``"bearer"``.
    :param data: the parameters (Basic has ``username`` and ``password``).
    :param token: the token of a token scheme such as Bearer.
    """

    def __init__(
        self,
        auth_type: str,
        data: Mapping[str, str] | None = None,
        token: str | None = None,
    ) -> None:
        self.type = auth_type.lower()
        self.parameters: dict[str, str] = dict(data or {})
        self.token = token

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.parameters.get(name)

    def __getitem__(self, key: str) -> str | None:
        return self.parameters.get(key)

    def get(self, key: str, default: str | None = None) -> str | None:
        """A parameter, or ``default``."""
        return self.parameters.get(key, default)

    @classmethod
    def from_header(cls, value: str | None) -> Authorization | None:
        """Parse an ``Authorization`` header; ``None`` if missing or malformed.

        Basic credentials are base64-decoded and split at the first ``:``.
        The bytes are decoded as UTF-8 (RFC 7617); if they are not valid
        UTF-8 they are decoded as ISO-8859-1, which is what older clients
        send. Credentials that are not valid base64 or lack the ``:`` give
        ``None``. Other schemes give either ``parameters`` (``key=value``
        pairs, as Digest sends: an ``=`` that is not at the end) or a
        ``token`` (the rest of the value, as Bearer and API token schemes
        send). Never raises.

        :param value: the header value.
        """
        if not value:
            return None
        split = _split_credentials(value)
        if split is None:
            return None
        scheme, rest = split
        if scheme == "basic":
            try:
                raw = base64.b64decode(rest, validate=True)
            except (binascii.Error, ValueError):
                return None
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
            username, sep, password = text.partition(":")
            if not sep:
                return None
            return cls(scheme, {"username": username, "password": password})
        params, token = _parse_auth_params(rest)
        return cls(scheme, params, token)

    def to_header(self) -> str:
        """The header value, e.g. ``Basic dXNlcjpwYXNz`` or ``Bearer abc``."""
        if self.type == "basic":
            user_pass = f"{self.username or ''}:{self.password or ''}"
            return "Basic " + base64.b64encode(user_pass.encode("utf-8")).decode("ascii")
        if self.token is not None:
            return f"{self.type.title()} {self.token}"
        return f"{self.type.title()} {dump_header(self.parameters)}".rstrip()

    def __str__(self) -> str:
        return self.to_header()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Authorization):
            return NotImplemented
        return (self.type, self.parameters, self.token) == (
            other.type,
            other.parameters,
            other.token,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


# Digest parameters that RFC 7616 writes as tokens; all others are quoted.
_UNQUOTED_CHALLENGE_PARAMS = frozenset({"algorithm", "stale"})


class _Parameters(dict[str, str]):
    """A dict that reports every change to its owner."""

    def __init__(self, data: Mapping[str, str], changed: Callable[[], None]) -> None:
        super().__init__(data)
        self._notify = changed

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key, value)
        self._notify()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._notify()

    def pop(self, key: str, *default: t.Any) -> t.Any:
        had = key in self
        value = super().pop(key, *default)
        if had:
            self._notify()
        return value

    def update(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().update(*args, **kwargs)
        self._notify()

    def clear(self) -> None:
        super().clear()
        self._notify()


class WWWAuthenticate:
    """A ``WWW-Authenticate`` challenge.

    Parameters are readable and writable as attributes (``challenge.realm =
    "Admin"``); setting one to ``None`` removes it. Every change calls
    ``on_update``, which is how a response keeps its header in sync.

    >>> WWWAuthenticate("basic", {"realm": "Admin area"}).to_header()
    'Basic realm="Admin area"'

    :param auth_type: the scheme, e.g. ``"basic"``, ``"bearer"``, ``"digest"``.
    :param values: the parameters.
    :param token: a token68 sent instead of parameters.
    """

    _own_attributes = frozenset({"_type", "_parameters", "_token", "on_update"})

    def __init__(
        self,
        auth_type: str,
        values: Mapping[str, str] | None = None,
        token: str | None = None,
    ) -> None:
        self.on_update: Callable[[WWWAuthenticate], None] | None = None
        self._type = auth_type.lower()
        self._parameters = _Parameters(values or {}, self._changed)
        self._token = token

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    @property
    def type(self) -> str:
        """The lower-case scheme."""
        return self._type

    @type.setter
    def type(self, value: str) -> None:
        object.__setattr__(self, "_type", value.lower())
        self._changed()

    @property
    def parameters(self) -> dict[str, str]:
        """The parameters; changing this dict calls ``on_update``."""
        return self._parameters

    @parameters.setter
    def parameters(self, value: Mapping[str, str]) -> None:
        object.__setattr__(self, "_parameters", _Parameters(value, self._changed))
        self._changed()

    @property
    def token(self) -> str | None:
        """The token68, if the challenge carries one instead of parameters."""
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        object.__setattr__(self, "_token", value)
        self._changed()

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._parameters.get(name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        if name in self._own_attributes or hasattr(type(self), name):
            object.__setattr__(self, name, value)
        elif value is None:
            self._parameters.pop(name, None)
        else:
            self._parameters[name] = value

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)

    def __getitem__(self, key: str) -> str | None:
        return self._parameters.get(key)

    def __setitem__(self, key: str, value: str | None) -> None:
        if value is None:
            self._parameters.pop(key, None)
        else:
            self._parameters[key] = value

    def get(self, key: str, default: str | None = None) -> str | None:
        """A parameter, or ``default``."""
        return self._parameters.get(key, default)

    @classmethod
    def from_header(cls, value: str | None) -> WWWAuthenticate | None:
        """Parse a single challenge; ``None`` if the header is missing or empty.

        :param value: the header value.
        """
        if not value:
            return None
        split = _split_credentials(value)
        if split is None:
            return None
        scheme, rest = split
        params, token = _parse_auth_params(rest)
        return cls(scheme, params, token)

    def to_header(self) -> str:
        """The header value, e.g. ``Basic realm="Admin area"``.

        Parameter values are always quoted, except Digest's ``algorithm`` and
        ``stale``, which are tokens.
        """
        scheme = self._type.title()
        if self._token is not None:
            return f"{scheme} {self._token}"
        params = ", ".join(
            f"{key}={quote_header_value(value, key in _UNQUOTED_CHALLENGE_PARAMS)}"
            for key, value in self._parameters.items()
        )
        return f"{scheme} {params}".rstrip()

    def __str__(self) -> str:
        return self.to_header()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WWWAuthenticate):
            return NotImplemented
        return (self._type, dict(self._parameters), self._token) == (
            other._type,
            dict(other._parameters),
            other._token,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"
