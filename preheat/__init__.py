"""Preheat: manage P2P preheat provider instances (Dragonfly, Kraken) in Flask.

    import preheat
    preheat.init_app(app, url_prefix="/admin/p2p")
"""
from .extension import SetupError, init_app
from .state import PreheatState

__version__ = "0.1.0"
__all__ = ["init_app", "PreheatState", "SetupError", "__version__"]
