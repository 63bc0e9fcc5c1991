"""Type names for the server interfaces and for what views may return."""

from __future__ import annotations

import typing as t
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from types import TracebackType

if t.TYPE_CHECKING:
    from .wrappers.response import Response

ExcInfo = tuple[type[BaseException], BaseException, TracebackType]
OptExcInfo = t.Union[ExcInfo, tuple[None, None, None]]

WSGIEnvironment = dict[str, t.Any]
StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApplication = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]

Scope = MutableMapping[str, t.Any]
Message = MutableMapping[str, t.Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApplication = Callable[[Scope, Receive, Send], Awaitable[None]]

HeaderValue = t.Union[str, int]
HeadersValue = t.Union[
    "t.Any",  # a Headers instance
    Mapping[str, HeaderValue],
    t.Sequence[tuple[str, HeaderValue]],
]
ResponseBody = t.Union[
    "Response",
    str,
    bytes,
    bytearray,
    "list[t.Any]",
    "Mapping[str, t.Any]",
    Iterable[str],
    Iterable[bytes],
    t.AsyncIterable[str],
    t.AsyncIterable[bytes],
]
#: What a view may return as a body (Flask's name for it).
ResponseValue = ResponseBody
StatusValue = t.Union[int, str]
ResponseReturnValue = t.Union[
    ResponseBody,
    tuple[ResponseBody, HeadersValue],
    tuple[ResponseBody, StatusValue],
    tuple[ResponseBody, StatusValue, HeadersValue],
    WSGIApplication,
]

#: A response class, for functions that return an instance of the class they are given.
ResponseClass = t.TypeVar("ResponseClass", bound="Response")
#: The key of the hooks of the app (``None``) or of a blueprint (its name).
AppOrBlueprintKey = t.Union[str, None]

ViewFunc = Callable[..., t.Any]
RouteCallable = t.Union[
    Callable[..., ResponseReturnValue], Callable[..., Awaitable[ResponseReturnValue]]
]
ErrorHandlerCallable = Callable[[t.Any], t.Any]
BeforeRequestCallable = Callable[[], t.Any]
AfterRequestCallable = Callable[[t.Any], t.Any]
TeardownCallable = Callable[[BaseException | None], t.Any]
TemplateContextProcessorCallable = Callable[[], dict[str, t.Any]]
ShellContextProcessorCallable = Callable[[], dict[str, t.Any]]
TemplateFilterCallable = Callable[..., t.Any]
TemplateGlobalCallable = Callable[..., t.Any]
TemplateTestCallable = Callable[..., bool]
#: Kept for code that still names it: ``before_first_request`` itself is gone, as in Flask 3.
BeforeFirstRequestCallable = Callable[[], None]
URLDefaultCallable = Callable[[str, dict[str, t.Any]], None]
URLValuePreprocessorCallable = Callable[[str | None, dict[str, t.Any] | None], None]
