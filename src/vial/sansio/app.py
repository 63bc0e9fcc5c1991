"""``flask.sansio.app``: the app class extensions annotate with.

>>> from vial import Vial
>>> from vial.sansio.app import App
>>> isinstance(Vial("x"), App)
True
"""

from __future__ import annotations

from ..app import Vial as App

__all__ = ["App"]
