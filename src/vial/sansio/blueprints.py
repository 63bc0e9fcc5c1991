"""``flask.sansio.blueprints``: the blueprint classes."""

from __future__ import annotations

from ..blueprints import Blueprint, BlueprintSetupState

__all__ = ["Blueprint", "BlueprintSetupState"]
