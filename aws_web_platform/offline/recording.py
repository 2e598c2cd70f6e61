"""What a run of a program under the offline engine registered: the data model, nothing else.

A :class:`Recording` holds every resource registration (:class:`Registered`) with its type,
name, parent, provider, inputs (and which of them were secret), outputs and resource options,
the stack's outputs and the provider functions the program invoked. The offline plan's tools
(cost, deploy time, diagram, policy) and the tests read only this; none of it touches Pulumi.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Registered:
    """One resource registration, as the engine received it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    inputs: dict[str, Any]
    secret_inputs: set[str]
    outputs: dict[str, Any]
    secret_outputs: set[str]
    id: str | None
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    ignore_changes: list[str]
    replace_on_changes: list[str]
    depends_on: list[str]
    aliases: list[str]
    additional_secret_outputs: list[str]
    import_id: str | None
    registered_outputs: bool = False
    """For a component: whether it called ``register_outputs`` (its outputs are then in
    ``outputs``)."""
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    """The ``customTimeouts`` option: create/update/delete durations that were set."""

    @property
    def package(self) -> str:
        """``aws`` for ``aws:ec2/vpc:Vpc``; ``pulumi`` for providers and the stack."""
        return self.type.split(":", 1)[0]

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    def __getitem__(self, key: str) -> Any:
        """Shorthand for ``inputs[key]``."""
        return self.inputs[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.inputs.get(key, default)


@dataclass
class Recording:
    """Everything one program run registered, exported and invoked."""

    resources: list[Registered]
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    error: BaseException | None = None

    def find(self, type_: str, name: str) -> Registered:
        """The resource of that type and logical name; fails listing the names that exist."""
        for resource in self.resources:
            if resource.type == type_ and resource.name == name:
                return resource
        names = sorted(r.name for r in self.resources if r.type == type_)
        raise LookupError(f"no {type_} named {name!r}; registered: {names}")

    def all_of(self, type_: str) -> list[Registered]:
        """Every resource of that type, sorted by logical name."""
        return sorted((r for r in self.resources if r.type == type_), key=lambda r: r.name)

    def by_urn(self, urn: str) -> Registered:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise LookupError(f"no resource with URN {urn}")

    def children_of(self, parent: Registered) -> list[Registered]:
        return sorted(
            (r for r in self.resources if r.parent == parent.urn), key=lambda r: (r.type, r.name)
        )

    def descendants_of(self, ancestor: Registered) -> list[Registered]:
        found: list[Registered] = []
        frontier = [ancestor]
        while frontier:
            children = self.children_of(frontier.pop())
            found.extend(children)
            frontier.extend(children)
        return found

    def cloud_resources(self) -> list[Registered]:
        """Custom resources other than providers: what a deploy would create in the cloud."""
        return [r for r in self.resources if r.custom and not r.is_provider]

    def provider_of(self, resource: Registered) -> Registered | None:
        """The explicit provider resource a custom resource uses, if any."""
        if not resource.provider:
            return None
        return self.by_urn(resource.provider.rsplit("::", 1)[0])  # a reference is "<urn>::<id>"


def kubernetes_manifest(resource: Registered) -> dict[str, Any]:
    """The manifest a Kubernetes resource record stands for, as ``kubectl`` would send it.

    ``apiVersion`` comes from the type token (``kubernetes:apps/v1:Deployment`` -> ``apps/v1``,
    ``core/v1`` -> ``v1``), the name Pulumi gives an unnamed object from the recorded outputs,
    and numbers the engine carried as floats become integers again when they are whole.
    """
    if not resource.type.startswith("kubernetes:") or resource.type.startswith(
        "kubernetes:helm.sh/"
    ):
        raise ValueError(f"{resource.type} is not a Kubernetes object")
    _, group_version, kind = resource.type.split(":")
    api_version = group_version.removeprefix("core/")
    manifest = {key: _whole_numbers(value) for key, value in resource.inputs.items()}
    manifest |= {"apiVersion": api_version, "kind": kind}
    metadata = dict(manifest.get("metadata") or {})
    if "name" not in metadata:
        metadata["name"] = (resource.outputs.get("metadata") or {}).get("name", resource.name)
    manifest["metadata"] = metadata
    return manifest


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value
