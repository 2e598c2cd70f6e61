"""The offline engine: run a Pulumi program in-process, without a cloud or the Pulumi CLI.

Used by the offline plan (``tools/plan.py``), by this project's tests, and by platform engineers
testing programs built from these components::

    from aws_web_platform.offline import run
    rec = run(lambda: Network("net", NetworkArgs(az_count=2)), region="eu-west-1")
    assert len(rec.all_of("aws:ec2/natGateway:NatGateway")) == 2

Three parts: :mod:`~aws_web_platform.offline.recording` (what a run registered, plain data),
:mod:`~aws_web_platform.offline.fake_aws` (the fake outputs, one module per service) and
:mod:`~aws_web_platform.offline.engine` (the one module touching Pulumi's internals).
"""

from aws_web_platform.offline.engine import EngineRuleError, RealisticMocks, RecordingMonitor, run
from aws_web_platform.offline.fake_aws import ACCOUNT_ID, PARTITION, UnknownInvokeError
from aws_web_platform.offline.recording import Recording, Registered, kubernetes_manifest

__all__ = [
    "ACCOUNT_ID",
    "PARTITION",
    "EngineRuleError",
    "RealisticMocks",
    "Recording",
    "RecordingMonitor",
    "Registered",
    "UnknownInvokeError",
    "kubernetes_manifest",
    "run",
]
