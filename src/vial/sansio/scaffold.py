"""``flask.sansio.scaffold``: what apps and blueprints share."""

from __future__ import annotations

from ..scaffold import Scaffold

__all__ = ["Scaffold"]
