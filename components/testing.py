"""Deprecated: ``components.testing`` moved to ``aws_web_platform.offline``, the offline engine.

Every public name the old module had still resolves here, with a ``DeprecationWarning`` naming
the module it lives in now; the shim goes away in the next release.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

#: Every public name of the old module -> the module that defines it now.
_MOVED: dict[str, str] = {
    "ACCOUNT_ID": "aws_web_platform.offline",
    "PARTITION": "aws_web_platform.offline",
    "Registered": "aws_web_platform.offline",
    "Recording": "aws_web_platform.offline",
    "kubernetes_manifest": "aws_web_platform.offline",
    "UnknownInvokeError": "aws_web_platform.offline",
    "MANAGED_CACHE_POLICIES": "aws_web_platform.offline.fake_aws.cloudfront",
    "MANAGED_ORIGIN_REQUEST_POLICIES": "aws_web_platform.offline.fake_aws.cloudfront",
    "RealisticMocks": "aws_web_platform.offline",
    "EngineRuleError": "aws_web_platform.offline",
    "RecordingMonitor": "aws_web_platform.offline",
    "run": "aws_web_platform.offline",
}

# the names the old module had
__all__ = list(_MOVED)  # pyright: ignore[reportUnsupportedDunderAll]


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module 'components.testing' has no attribute {name!r}")
    warnings.warn(
        f"components.testing.{name} is deprecated: import it from {module}; "
        "components.testing goes away in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
