"""The Dragonfly v2 manager: health and token checks, preheat jobs and their policy options."""
from __future__ import annotations

from .driver import Dragonfly

__all__ = ["Dragonfly"]
