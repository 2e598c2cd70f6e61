"""The offline engine: run a Pulumi program in-process, without a cloud or the Pulumi CLI.

The one module that touches Pulumi's internals (its mock monitor, the RPC (de)serialisation, the
stack runner). What it adds to Pulumi's own mocks (``pulumi.runtime.set_mocks``):

* every registration is recorded (:mod:`aws_web_platform.offline.recording`) with its type,
  name, parent, provider, inputs (with which of them are secret) and resource options (protect,
  ignoreChanges, aliases, dependsOn ...);
* outputs are realistic (ids, ARNs, endpoints, public IPs) and deterministic, derived from the
  logical name by the fakes of :mod:`aws_web_platform.offline.fake_aws`, so code that uses
  them is exercised and two runs are identical;
* the engine's own rules are enforced: a duplicate URN fails, as does a resource or invoke that
  would fall back to a default provider when the config disables default providers;
* an invoke the engine does not know fails loudly instead of returning an empty result.
"""

from __future__ import annotations

import gc
import json
import threading
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from aws_web_platform.offline.fake_aws import (
    ACCOUNT_ID,
    INVOKES,
    FakeContext,
    InvokeContext,
    InvokeFailedError,
    UnknownInvokeError,
    outputs_for,
)
from aws_web_platform.offline.recording import Recording, Registered


def _plain(value: Any) -> Any:
    """A value with the engine's secret wrapping removed."""
    return rpc.unwrap_rpc_secret(value)


def _unwrap(value: Any, path: str, secrets: set[str]) -> Any:
    """Remove secret wrappers everywhere in ``value``, noting the paths that were secret."""
    if rpc.is_rpc_secret(value):
        secrets.add(path or "<root>")
        return _unwrap(rpc.unwrap_rpc_secret(value), path, secrets)
    if isinstance(value, dict):
        return {k: _unwrap(v, f"{path}.{k}" if path else k, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v, f"{path}[{i}]", secrets) for i, v in enumerate(value)]
    return value


def _json_or_text(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class RealisticMocks(pulumi.runtime.Mocks):
    """Deterministic, realistic answers for resources and the invokes the platform uses.

    Resources and invokes answer in the region of the AWS provider they use (an explicit
    ``aws.Provider(region="us-east-1")`` gets us-east-1 ARNs), else in the run's region.
    """

    def __init__(
        self,
        region: str,
        *,
        account_id: str = ACCOUNT_ID,
        zones: Iterable[str] | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.zones = list(zones) if zones is not None else None
        self.invokes: list[tuple[str, dict[str, Any]]] = []
        self.ecr_images: Mapping[str, frozenset[str]] | None = None
        self._lock = threading.Lock()
        self._provider_regions: dict[str, str] = {}

    def region_of(self, provider_ref: str | None) -> str:
        """The region of the AWS provider behind a provider reference (``<urn>::<id>``)."""
        if not provider_ref:
            return self.region
        return self._provider_regions.get(provider_ref.rsplit("::", 1)[-1], self.region)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        # The fakes see inputs without the engine's secret wrapping; what they return beside
        # the inputs, which come back as sent (secret where they were).
        inputs = {key: _plain(value) for key, value in args.inputs.items()}
        if args.typ == "pulumi:providers:aws":
            region = str(inputs.get("region") or self.region)
        else:
            region = self.region_of(args.provider)
        ctx = FakeContext(args.typ, args.name, inputs, region, self.account_id)
        id_, computed = outputs_for(ctx)
        if args.typ == "pulumi:providers:aws" and id_:
            with self._lock:
                self._provider_regions[id_] = region
        return id_, {**args.inputs, **computed}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        answer = INVOKES.get(args.token)
        with self._lock:
            self.invokes.append((args.token, dict(args.args)))
        if answer is None:
            known = ", ".join(sorted(INVOKES))
            raise UnknownInvokeError(
                f"the offline engine has no answer for invoke {args.token}; teach "
                f"aws_web_platform/offline/fake_aws one. Known: {known}"
            )
        ctx = InvokeContext.of(
            self.region_of(args.provider), self.account_id, self.zones, self.ecr_images
        )
        try:
            return answer(args.args, ctx), []
        except InvokeFailedError as failure:
            return {}, [("", str(failure))]


class EngineRuleError(RuntimeError):
    """The real engine would reject this program (duplicate URN, missing provider, ...)."""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's mock monitor, recording every registration with its options."""

    def __init__(self, mocks: pulumi.runtime.Mocks, disabled_default_providers: set[str]) -> None:
        super().__init__(mocks)
        self.records: list[Registered] = []
        self._disabled = disabled_default_providers
        self._urns: set[str] = set()
        self._lock = threading.Lock()
        self.violations: list[str] = []

    def _violate(self, message: str) -> None:
        """Note a registration the engine would refuse; ``run`` raises them all at the end.

        Raising here, on the gRPC worker thread, would fail the program too, but through every
        output depending on the resource at once; collecting them gives one clear error.
        """
        with self._lock:
            self.violations.append(message)

    def _default_provider_disabled(self, package: str) -> bool:
        return "*" in self._disabled or package in self._disabled

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        package = request.type.split(":", 1)[0]
        is_provider = request.type.startswith("pulumi:providers:")
        with self._lock:  # check and claim in one step: registrations run on many threads
            duplicate = urn in self._urns
            self._urns.add(urn)
        if duplicate:
            self._violate(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        if (
            request.custom
            and not is_provider
            and not request.provider
            and self._default_provider_disabled(package)
        ):
            self._violate(
                f"{request.type} {request.name!r} would use the default {package} provider, "
                "which pulumi:disable-default-providers turns off: pass an explicit provider"
            )
        response, raw_inputs = self._register(request, urn)
        secret_inputs: set[str] = set()
        inputs = _unwrap(raw_inputs, "", secret_inputs)
        if is_provider and isinstance(inputs, dict):
            # Providers receive nested settings (defaultTags, assumeRole ...) as JSON text.
            inputs = {key: _json_or_text(value) for key, value in inputs.items()}
        secret_outputs: set[str] = set()
        outputs = _unwrap(rpc.deserialize_properties(response.object), "", secret_outputs)
        record = Registered(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent or None,
            provider=request.provider or None,
            inputs=inputs if isinstance(inputs, dict) else {},
            secret_inputs=secret_inputs,
            outputs=outputs if isinstance(outputs, dict) else {},
            secret_outputs=secret_outputs,
            id=response.id or None,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            ignore_changes=list(request.ignoreChanges),
            replace_on_changes=list(request.replaceOnChanges),
            depends_on=list(request.dependencies),
            aliases=[str(a) for a in request.aliases] + list(request.aliasURNs),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            import_id=request.importId or None,
            custom_timeouts={
                kind: getattr(request.customTimeouts, kind)
                for kind in ("create", "update", "delete")
                if getattr(request.customTimeouts, kind)
            },
        )
        with self._lock:
            self.records.append(record)
        return response

    def _register(self, request: Any, urn: str) -> tuple[Any, dict[str, Any]]:
        """Pulumi's MockMonitor.RegisterResource, plus the engine's ``additionalSecretOutputs``:
        outputs a resource declares secret (a password's ``result``, a secret version's
        ``secretString``) come back secret, as they do from the real engine. Returns the
        response and the deserialized inputs, which the caller records (deserialized once)."""
        inputs = rpc.deserialize_properties(request.object)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn), inputs
        _ensure_event_loop()
        id_, state = self.mocks.new_resource(
            pulumi.runtime.MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=inputs,
                provider=request.provider,
                resource_id=request.importId,
                custom=request.custom or False,
            )
        )
        for key in request.additionalSecretOutputs:
            if key in state:
                state[key] = rpc.wrap_rpc_secret(state[key])
        state_proto = _sync_await(rpc.serialize_properties(state, {}))
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, id_ or "", state)
        response = resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=state_proto)
        return response, inputs

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        """A component's ``register_outputs``: kept as that component's outputs."""
        secret_outputs: set[str] = set()
        outputs = _unwrap(rpc.deserialize_properties(request.outputs), "", secret_outputs)
        with self._lock:
            for record in self.records:
                if record.urn == request.urn and isinstance(outputs, dict):
                    record.outputs = outputs
                    record.secret_outputs = secret_outputs
                    record.registered_outputs = True
        return super().RegisterResourceOutputs(request)

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        package = request.tok.split(":", 1)[0]
        if (
            not request.provider
            and package != "pulumi"
            and self._default_provider_disabled(package)
        ):
            raise EngineRuleError(
                f"invoke {request.tok} would use the default {package} provider, which "
                "pulumi:disable-default-providers turns off: pass parent= or provider="
            )
        return super().Invoke(request)


def run(
    program: Callable[[], Any],
    *,
    project: str = "platform",
    stack: str = "test",
    config: dict[str, str] | None = None,
    secret_keys: Iterable[str] = (),
    region: str = "eu-west-1",
    zones: Iterable[str] | None = None,
    raise_errors: bool = True,
    ecr_images: Mapping[str, Iterable[str]] | None = None,
) -> Recording:
    """Run ``program`` under the recording engine and return what it registered.

    ``config`` maps full keys (``platform:network``) to the strings the CLI would pass
    (structured values as JSON). With ``raise_errors=False`` an error in the program is kept in
    ``Recording.error`` with whatever was registered before it, instead of being raised.
    ``ecr_images`` says which tags each ECR repository holds, for ``aws.ecr.get_image``
    (default: every image asked for exists).
    """
    config = dict(config or {})
    mocks = RealisticMocks(region, zones=zones)
    if ecr_images is not None:
        mocks.ecr_images = {repo: frozenset(tags) for repo, tags in ecr_images.items()}
    disabled = _disabled_default_providers(config.get("pulumi:disable-default-providers"))
    monitor = RecordingMonitor(mocks, disabled)

    pulumi_settings.ROOT.set(None)
    typing.cast(Any, pulumi_settings.SETTINGS).outputs.clear()
    set_all_config(config, list(secret_keys))
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)

    error: BaseException | None = None
    # The cyclic collector paused while the program runs: a plan allocates hundreds of
    # thousands of objects (the SDK modules it imports, every registration), and each full
    # collection walks all of them again, which took 40 % of a prod plan. What cycles the run
    # leaves are collected as usual afterwards; the peak memory grows by about 3 %.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _sync_await(run_pulumi_func(program))
    except Exception as exc:  # noqa: BLE001 (kept or re-raised below)
        error = exc
    finally:
        if collecting:
            gc.enable()
    if error is None and monitor.violations:
        error = EngineRuleError("; ".join(monitor.violations))

    recording = Recording(resources=list(monitor.records), invokes=list(mocks.invokes), error=error)
    if error is None:
        recording.outputs, recording.secret_outputs = _stack_outputs()
    pulumi_settings.ROOT.set(None)
    if error is not None and raise_errors:
        raise error
    return recording


def _stack_outputs() -> tuple[dict[str, Any], set[str]]:
    root = pulumi_settings.get_root_resource()
    values: dict[str, Any] = {}
    secrets: set[str] = set()
    for key, value in (getattr(root, "outputs", None) or {}).items():
        output = pulumi.Output.from_input(value)
        values[key] = _sync_await(output.future())
        if _sync_await(output.is_secret()):
            secrets.add(key)
    return values, secrets


def _disabled_default_providers(raw: str | None) -> set[str]:
    if not raw:
        return set()
    try:
        value = json.loads(raw)
    except ValueError:
        value = [raw]
    return {str(v) for v in (value if isinstance(value, list) else [value])}
