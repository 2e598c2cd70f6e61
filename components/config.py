"""Deprecated: ``components.config`` is split into a settings module per domain.

What README and docs told users to import from here still resolves, with a
``DeprecationWarning`` naming the new module; the shim goes away in the next release:

* ``load_config_model``, ``ConfigError``, ``load_stack_config``, ``parse_stack_config`` ->
  ``aws_web_platform.stack.loading``; ``StackConfig`` -> ``aws_web_platform.stack.config``;
* ``ConfigModel`` and the shared field types -> ``aws_web_platform.core.fields``;
* each domain's settings model -> ``aws_web_platform.<domain>.config`` (``DatabaseConfig`` ->
  ``aws_web_platform.database.config``).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

#: Where the names of the old module live now, searched in this order.
_MODULES = (
    "aws_web_platform.stack.loading",
    "aws_web_platform.stack.config",
    "aws_web_platform.core.fields",
    "aws_web_platform.network.config",
    "aws_web_platform.kms.config",
    "aws_web_platform.secrets.config",
    "aws_web_platform.database.config",
    "aws_web_platform.cache.config",
    "aws_web_platform.storage.config",
    "aws_web_platform.registry.config",
    "aws_web_platform.dns.config",
    "aws_web_platform.eks.config",
    "aws_web_platform.k8s.config",
    "aws_web_platform.edge.config",
    "aws_web_platform.observability.config",
    "aws_web_platform.backup.config",
)


def __getattr__(name: str) -> Any:
    if name.startswith("_"):
        raise AttributeError(f"module 'components.config' has no attribute {name!r}")
    for module_name in _MODULES:
        module = importlib.import_module(module_name)
        if name in vars(module):
            warnings.warn(
                f"components.config.{name} is deprecated: import it from {module_name}; "
                "components.config goes away in the next release",
                DeprecationWarning,
                stacklevel=2,
            )
            return vars(module)[name]
    raise AttributeError(f"module 'components.config' has no attribute {name!r}")
