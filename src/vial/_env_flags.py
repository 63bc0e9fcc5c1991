"""The environment variables that switch debug mode and dotenv loading.

They live here, not in :mod:`vial.cli`, so that :mod:`vial.helpers` can offer
them (as Flask's helpers do) without importing click.
"""

from __future__ import annotations

import os
import typing as t


def get_debug_flag() -> bool:
    """Whether ``VIAL_DEBUG`` asks for debug mode (anything but empty, ``0``, ``false``, ``no``)."""
    value = os.environ.get("VIAL_DEBUG")
    return bool(value) and t.cast(str, value).lower() not in {"0", "false", "no"}


def get_load_dotenv(default: bool = True) -> bool:
    """Whether to load dotenv files: ``default``, unless ``VIAL_SKIP_DOTENV`` is truthy."""
    value = os.environ.get("VIAL_SKIP_DOTENV")
    if not value:
        return default
    return value.lower() in {"0", "false", "no"}
