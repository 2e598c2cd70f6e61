"""The platform's policy pack (pulumi-policy), importable from the repository root.

The Pulumi CLI runs this directory's ``__main__.py`` with ``policy/`` itself on ``sys.path``,
so the rules live in the top-level module ``platform_policies`` there and are reached as
``policy.platform_policies`` from the repository (``tools/policy.py``, the tests). This file
does nothing else: the CLI never imports it.
"""
