"""The layout the library promises (docs/architecture.md), held by tests.

A type token names its package; each settings model lives in its package's ``config.py``;
``StackConfig`` composes them; wiring is typed (no ``Any``, no ``**model_dump()`` splats); the
package ships ``py.typed``; the old ``components`` paths still work, with a warning; nothing
points outside the repository.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import tomllib
import typing
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

import aws_web_platform
from aws_web_platform.core.fields import ConfigModel, Wiring
from aws_web_platform.offline import Recording
from aws_web_platform.stack.config import StackConfig
from tools.docs import library_modules
from tools.plan import PROJECT_ROOT

StackRun = Callable[[str], Recording]
PACKAGE = PROJECT_ROOT / "aws_web_platform"
#: The token module of the whole platform (Pulumi's convention for a package's root).
ROOT_TOKEN_MODULE = "index"
ROOT_PACKAGE = "platform"

#: Every name ``components`` exported before the library got its name (kept exported).
EXPORTED_BEFORE = [
    "AlertTopics",
    "AlertTopicsArgs",
    "AppNamespace",
    "AppNamespaceArgs",
    "AppSecrets",
    "AppSecretsArgs",
    "AppService",
    "AppServiceArgs",
    "BackupPlan",
    "BackupPlanArgs",
    "BootstrapConfig",
    "Bucket",
    "BucketArgs",
    "CiAccess",
    "CiAccessArgs",
    "CiAccessConfig",
    "Cluster",
    "ClusterArgs",
    "ConfigError",
    "CostBudget",
    "CostBudgetArgs",
    "DnsZone",
    "DnsZoneArgs",
    "Edge",
    "EdgeArgs",
    "EncryptionKey",
    "EncryptionKeyArgs",
    "ImageRepository",
    "ImageRepositoryArgs",
    "Network",
    "NetworkArgs",
    "Observability",
    "ObservabilityArgs",
    "Platform",
    "PlatformAddons",
    "PlatformAddonsArgs",
    "PostgresDatabase",
    "PostgresDatabaseArgs",
    "PreviewAccess",
    "PreviewAccessArgs",
    "RedisCache",
    "RedisCacheArgs",
    "Secret",
    "SecretArgs",
    "SlackChannels",
    "SlackChannelsArgs",
    "StackConfig",
    "load_stack_config",
    "parse_stack_config",
]


def _component_tokens() -> Iterator[tuple[Path, str, str]]:
    """(file, class name, type token) of every ComponentResource the library defines."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "__init__"
                    and isinstance(call.func.value, ast.Call)
                    and getattr(call.func.value.func, "id", None) == "super"
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and str(call.args[0].value).startswith("platform:")
                ):
                    yield path, node.name, str(call.args[0].value)


def test_every_type_token_names_the_package_its_component_lives_in() -> None:
    tokens = list(_component_tokens())
    assert len(tokens) == 24
    for path, class_name, token in tokens:
        _, module, name = token.split(":")
        package = path.relative_to(PACKAGE).parts[0]
        expected = ROOT_PACKAGE if module == ROOT_TOKEN_MODULE else module
        assert package == expected, f"{token} is defined in {path.relative_to(PROJECT_ROOT)}"
        assert name == class_name, f"{token} is registered by class {class_name}"


def test_every_component_the_stacks_register_is_a_library_component(
    stack_run: StackRun, stack_name: str
) -> None:
    tokens = {token for _, _, token in _component_tokens()}
    registered = {r.type for r in stack_run(stack_name).resources if not r.custom}
    assert registered - {"pulumi:pulumi:Stack"} <= tokens


def _library_classes() -> Iterator[type]:
    for module in library_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__:
                yield obj


def test_every_settings_model_lives_in_its_packages_config_module() -> None:
    found = 0
    for cls in _library_classes():
        if not issubclass(cls, ConfigModel) or issubclass(cls, Wiring) or cls is ConfigModel:
            continue
        if cls.__name__.endswith("Args"):
            continue  # an Args derives from its settings and its wiring, beside its component
        found += 1
        assert cls.__module__.endswith(".config"), f"{cls.__name__} is in {cls.__module__}"
    assert found > 40


def test_stack_config_composes_one_settings_model_per_domain() -> None:
    stack_module = importlib.import_module("aws_web_platform.stack.config")
    defined = [
        name
        for name, obj in inspect.getmembers(stack_module, inspect.isclass)
        if obj.__module__ == stack_module.__name__ and issubclass(obj, BaseModel)
    ]
    assert defined == ["StackConfig"]
    domains = set()
    for name, info in StackConfig.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, ConfigModel):
            package = annotation.__module__.split(".")[1]
            assert annotation.__module__ == f"aws_web_platform.{package}.config", name
            domains.add(package)
    assert domains >= {"network", "database", "cache", "eks", "k8s", "edge", "observability"}


def _mentions_any(annotation: object) -> bool:
    if annotation is typing.Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(annotation))


def test_no_wiring_or_args_field_is_typed_any() -> None:
    checked = 0
    for cls in _library_classes():
        if not issubclass(cls, BaseModel):
            continue
        if not (issubclass(cls, Wiring) or cls.__name__.endswith(("Args", "Connection"))):
            continue
        for name, info in cls.model_fields.items():
            checked += 1
            assert not _mentions_any(info.annotation), f"{cls.__name__}.{name}: Any"
    assert checked > 150


def _model_dump_splats(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if (
                keyword.arg is None
                and isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr == "model_dump"
            ):
                lines.append(node.lineno)
    return lines


def test_no_settings_reach_args_through_a_model_dump_splat() -> None:
    sources = [
        *PACKAGE.rglob("*.py"),
        *(PROJECT_ROOT / "examples").rglob("*.py"),
        PROJECT_ROOT / "bootstrap" / "__main__.py",
        PROJECT_ROOT / "__main__.py",
    ]
    found = {str(p.relative_to(PROJECT_ROOT)): _model_dump_splats(p) for p in sources}
    assert not {path: lines for path, lines in found.items() if lines}


def test_a_model_dump_splat_is_found_where_there_is_one(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text("NetworkArgs(**config.network.model_dump(), name_tag='x')\n")
    assert _model_dump_splats(program) == [1]


def test_the_package_ships_py_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    setuptools = project["tool"]["setuptools"]
    assert "py.typed" in setuptools["package-data"]["aws_web_platform"]
    assert project["project"]["name"] == "aws-web-platform"  # the distribution names the package
    assert "aws_web_platform*" in setuptools["packages"]["find"]["include"]


def test_pyright_is_strict_on_the_shared_field_types_and_every_settings_module() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    assert set(project["tool"]["pyright"]["strict"]) == {
        "aws_web_platform/core",
        "aws_web_platform/*/config.py",
    }


def test_the_public_api_keeps_every_name_it_exported() -> None:
    assert set(EXPORTED_BEFORE) <= set(aws_web_platform.__all__)


def test_the_old_import_paths_work_for_one_release_with_a_warning() -> None:
    from aws_web_platform.offline import run
    from aws_web_platform.stack.loading import load_config_model

    with pytest.warns(DeprecationWarning, match=r"aws_web_platform\.stack\.loading"):
        from components.config import load_config_model as old_loader
    with pytest.warns(DeprecationWarning, match=r"aws_web_platform\.offline"):
        from components.testing import run as old_run
    with pytest.warns(DeprecationWarning, match="from aws_web_platform import Network"):
        from components import Network as OldNetwork
    assert old_loader is load_config_model and old_run is run
    assert OldNetwork is aws_web_platform.Network
    with pytest.raises(ImportError):
        from components.config import NoSuchThing  # noqa: F401


def test_every_public_name_of_the_old_modules_resolves_where_it_lives_now() -> None:
    import components
    import components.config as old_config
    import components.testing as old_testing

    for module, label in ((old_config, "components.config"), (old_testing, "components.testing")):
        for name in module.__all__:
            with pytest.warns(DeprecationWarning) as caught:
                value = getattr(module, name)
            new_module = str(caught[0].message).split("import it from ")[1].split(";")[0]
            assert getattr(importlib.import_module(new_module), name) is value, f"{label}.{name}"
    assert set(EXPORTED_BEFORE) <= set(components.__all__)  # `from components import *`


def test_the_scheduling_arguments_of_0_1_become_a_scheduling_with_a_warning() -> None:
    from aws_web_platform.eks.config import Scheduling, Toleration, legacy_scheduling

    old = {
        "app_name": "web",
        "nodeSelector": {"platform.io/node-group": "apps"},
        "tolerations": [{"key": "dedicated", "value": "apps", "effect": "NoExecute"}],
    }
    with pytest.warns(DeprecationWarning, match="node_selector and tolerations are deprecated"):
        new = legacy_scheduling(
            old,
            selector="node_selector",
            tolerations="tolerations",
            into="scheduling",
            owner="AppServiceArgs",
        )
    assert new == {
        "app_name": "web",
        "scheduling": Scheduling(
            node_selector={"platform.io/node-group": "apps"},
            tolerations=(Toleration(key="dedicated", value="apps", effect="NoExecute"),),
        ),
    }


def test_the_public_api_resolves_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in aws_web_platform.__all__:
            assert getattr(aws_web_platform, name) is not None


#: Text files of the repository a user clones (the generated and vendored ones included).
_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".json", ".txt", ""}


def test_the_repository_points_to_nothing_outside_it() -> None:
    outside = re.compile(r"\.\./shared|\b(SPEC|STYLE|DESIGN)\.md\b")
    # The one place left is a deployed resource's description: rewording it would update the
    # headers policy of every stack, and this layout change keeps every input as it was.
    spec = "SPEC" + ".md"  # spelled apart so this line is not an offender itself
    deployed = {"aws_web_platform/edge/edge.py": f'comment="Security headers of {spec}'}
    offenders = []
    for path in sorted(PROJECT_ROOT.rglob("*")):
        parts = path.relative_to(PROJECT_ROOT).parts
        skipped = {".git", ".venv", "venv", "build", "__pycache__", ".pytest_cache"}
        if skipped & set(parts) or parts[0].endswith(".egg-info"):
            continue
        if not path.is_file() or path.suffix not in _SUFFIXES:
            continue
        text = path.read_text(errors="ignore")
        allowed = deployed.get(str(Path(*parts)))
        if allowed:
            text = text.replace(allowed, "")
        offenders += [
            f"{Path(*parts)}:{text[: match.start()].count(chr(10)) + 1}"
            for match in outside.finditer(text)
        ]
    assert not offenders, f"point to docs/requirements.md instead: {offenders}"
