"""Deprecated: the library is ``aws_web_platform`` now; this name goes away in the next release.

``components`` collided with any other project's ``components`` package in a user's
environment. Every name it exported still resolves here, with a ``DeprecationWarning`` that
says where it lives now: ``from aws_web_platform import Network``.
"""

from __future__ import annotations

import warnings
from typing import Any

import aws_web_platform

# `from components import *` still works
__all__ = list(aws_web_platform.__all__)  # pyright: ignore[reportUnsupportedDunderAll]


def __getattr__(name: str) -> Any:
    if name not in aws_web_platform.__all__:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    warnings.warn(
        f"components.{name} is deprecated: import it from aws_web_platform "
        f"(`from aws_web_platform import {name}`); `components` goes away in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(aws_web_platform, name)


def __dir__() -> list[str]:
    return sorted(aws_web_platform.__all__)
