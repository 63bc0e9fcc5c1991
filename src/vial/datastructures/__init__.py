"""Data structures for HTTP: multi-dicts, headers, uploaded files.

The names are Werkzeug's, so ``from werkzeug.datastructures import MultiDict``
becomes ``from vial.datastructures import MultiDict``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .callback_dict import CallbackDict as CallbackDict
from .callback_dict import UpdateDictMixin as UpdateDictMixin
from .headers import EnvironHeaders as EnvironHeaders
from .headers import Headers as Headers
from .headers import HeaderSet as HeaderSet
from .multidict import CombinedMultiDict as CombinedMultiDict
from .multidict import ImmutableDict as ImmutableDict
from .multidict import ImmutableDictMixin as ImmutableDictMixin
from .multidict import ImmutableList as ImmutableList
from .multidict import ImmutableListMixin as ImmutableListMixin
from .multidict import ImmutableMultiDict as ImmutableMultiDict
from .multidict import ImmutableMultiDictMixin as ImmutableMultiDictMixin
from .multidict import ImmutableTypeConversionDict as ImmutableTypeConversionDict
from .multidict import MultiDict as MultiDict
from .multidict import TypeConversionDict as TypeConversionDict
from .multidict import iter_multi_items as iter_multi_items

# --- uploaded files and header structures ---
# PERF: these are imported on first use (PEP 562), which
# keeps them out of ``import vial`` (about 30 ms of a cold start).
_LAZY = {
    "FileStorage": ".file_storage",
    "FileMultiDict": ".file_multidict",
    "Accept": ".accept",
    "CharsetAccept": ".accept",
    "LanguageAccept": ".accept",
    "MIMEAccept": ".accept",
    "Authorization": ".auth",
    "WWWAuthenticate": ".auth",
    "RequestCacheControl": ".cache_control",
    "ResponseCacheControl": ".cache_control",
    "ETags": ".etags",
    "IfRange": ".etags",
    "ContentRange": ".range",
    "Range": ".range",
}

if TYPE_CHECKING:
    from .accept import Accept as Accept
    from .accept import CharsetAccept as CharsetAccept
    from .accept import LanguageAccept as LanguageAccept
    from .accept import MIMEAccept as MIMEAccept
    from .auth import Authorization as Authorization
    from .auth import WWWAuthenticate as WWWAuthenticate
    from .cache_control import RequestCacheControl as RequestCacheControl
    from .cache_control import ResponseCacheControl as ResponseCacheControl
    from .etags import ETags as ETags
    from .etags import IfRange as IfRange
    from .file_multidict import FileMultiDict as FileMultiDict
    from .file_storage import FileStorage as FileStorage
    from .range import ContentRange as ContentRange
    from .range import Range as Range


# Deprecated in Werkzeug 3.1, removed in 3.2: each access warns, as Werkzeug's does,
# so they are neither cached here nor listed by dir().
_DEPRECATED = {
    "OrderedMultiDict": "MultiDict",
    "ImmutableOrderedMultiDict": "ImmutableMultiDict",
}


def __getattr__(name: str) -> Any:
    instead = _DEPRECATED.get(name)
    if instead is not None:
        from . import ordered_multidict

        ordered_multidict._warn_deprecated(name, instead, 2)
        return getattr(ordered_multidict, name)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
