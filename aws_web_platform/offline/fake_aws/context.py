"""What a fake gets to answer with: the resource's type, name, inputs, region and account.

Every fake is a pure function of these (no Pulumi, no randomness), so two runs of a program
answer the same and the offline plan is deterministic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ACCOUNT_ID = "123456789012"
PARTITION = "aws"


def hex_of(seed: str, length: int) -> str:
    """``length`` hex digits derived from ``seed``: ids that look real and never change."""
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def ip_of(seed: str, prefix: str) -> str:
    """An address in ``prefix`` (three octets) derived from ``seed``."""
    return f"{prefix}.{int(hex_of(seed, 2), 16) % 254 + 1}"


def uuid_of(seed: str) -> str:
    """A UUID-shaped id derived from ``seed``."""
    h = hex_of(seed, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class FakeContext:
    """One resource registration, as a fake sees it (inputs without secret wrapping)."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    region: str
    account: str

    @property
    def seed(self) -> str:
        return f"{self.type}/{self.name}"

    def get(self, key: str) -> Any:
        return self.inputs.get(key)

    def physical_name(self) -> str:
        """The name AWS gets: the explicit one, or Pulumi's autoname (name + 7 hex chars)."""
        explicit = self.get("name")
        if explicit:
            return str(explicit)
        prefix = self.get("namePrefix")
        if prefix:
            return f"{prefix}{hex_of(self.seed, 26)}"
        return f"{self.name}-{hex_of(self.seed, 7)}"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{PARTITION}:{service}:{region}:{self.account}:{resource}"


#: A fake resource: its id and its outputs (beyond the inputs, which come back as sent).
Fake = Callable[[FakeContext], tuple[str, dict[str, Any]]]


def generic(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    """A name, and an ARN for AWS types: for resources nothing reads back more of."""
    package, module_type = ctx.type.split(":", 1)
    service = module_type.split("/", 1)[0].split(":", 1)[0]
    name = ctx.physical_name()
    out: dict[str, Any] = {"name": name}
    if package == "aws":
        out["arn"] = ctx.arn(service, f"{module_type.rsplit(':', 1)[1].lower()}/{name}")
    return f"{name}-id", out


@dataclass
class InvokeContext:
    """What a fake provider function answers for: the provider's region and the account."""

    region: str
    account: str
    zone_letters: list[str] = field(default_factory=lambda: list("abcd"))
    ecr_images: Mapping[str, frozenset[str]] | None = None
    """The tags each ECR repository holds (by repository name); None: every image asked for
    exists."""

    @classmethod
    def of(
        cls,
        region: str,
        account: str,
        zones: Iterable[str] | None,
        ecr_images: Mapping[str, frozenset[str]] | None = None,
    ) -> InvokeContext:
        letters = [z[-1] for z in zones] if zones is not None else list("abcd")
        return cls(region, account, letters, ecr_images)


#: A fake provider function (invoke): its result from its arguments.
FakeInvoke = Callable[[Mapping[str, Any], InvokeContext], dict[str, Any]]


class InvokeFailedError(Exception):
    """A provider function's own failure (the data source found nothing): the engine answers
    it as the provider does, an invoke failure the program sees as an exception, not as a
    crash of the engine."""


class UnknownInvokeError(LookupError):
    """The program called a provider function the offline engine has no answer for."""
