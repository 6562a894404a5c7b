"""A faithful loopback emulator of X's web API, built from docs/X-FACTS.md alone.

Nothing here runs at import. ``start_emulator(EmulatorConfig(...))`` serves it in a daemon thread.
"""

from .config import (
    DEFAULT_LIMITS,
    DEFAULT_REQUIRED_FEATURES,
    WEB_BEARER,
    EmulatorConfig,
    GraphQLLockForm,
    PopulationMix,
    RateLimitBody,
    Shape,
    Switches,
)
from .server import Emulator, is_loopback, start_emulator
from .world import AccountState

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_REQUIRED_FEATURES",
    "WEB_BEARER",
    "AccountState",
    "Emulator",
    "EmulatorConfig",
    "GraphQLLockForm",
    "PopulationMix",
    "RateLimitBody",
    "Shape",
    "Switches",
    "is_loopback",
    "start_emulator",
]
