"""Deprecated: the recording engine is ``aws_web_platform.offline`` now.

``from components.testing import run`` still works, with a ``DeprecationWarning``; the shim
goes away in the next release. Use ``from aws_web_platform.offline import run``.
"""

from __future__ import annotations

import warnings
from typing import Any

from aws_web_platform import offline


def __getattr__(name: str) -> Any:
    if name.startswith("_") or not hasattr(offline, name):
        raise AttributeError(f"module 'components.testing' has no attribute {name!r}")
    warnings.warn(
        f"components.testing.{name} is deprecated: import it from aws_web_platform.offline; "
        "components.testing goes away in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(offline, name)
