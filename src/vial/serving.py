"""Serving an app on uvicorn, for ``app.run()`` and ``vial run``."""

from __future__ import annotations

import sys
import typing as t

if t.TYPE_CHECKING:
    from .app import Vial


def run_app(app: Vial, host: str = "127.0.0.1", port: int = 5000, **options: t.Any) -> None:
    """Serve ``app`` over ASGI on uvicorn until interrupted.

    :param options: passed to ``uvicorn.run`` (for example ``log_level``).
    """
    import uvicorn

    print(f" * Serving vial app '{app.name}'", file=sys.stderr)
    print(f" * Debug mode: {'on' if app.debug else 'off'}", file=sys.stderr)
    print(f" * Running on http://{host}:{port} (press CTRL+C to quit)", file=sys.stderr, flush=True)
    options.setdefault("log_level", "info")
    uvicorn.run(app.asgi, host=host, port=port, **options)
