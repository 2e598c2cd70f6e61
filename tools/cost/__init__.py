"""Monthly cost estimate of an offline plan: what the resources a stack registers would cost.

Pure functions over a :class:`~aws_web_platform.offline.Recording` (``tools.plan.run_stack``)
and the price table ``tools/prices.json`` (us-east-1 on-demand list prices with their sources,
regional factors, usage assumptions and the resource types that are free). Nothing here calls
AWS::

    from tools.plan import run_stack
    from tools.cost import estimate, render, SEED_ANCHOR_USD
    print(render(estimate(run_stack("prod"), region="eu-west-1"), anchor_usd=SEED_ANCHOR_USD))

Why it is built this way:

* Sizes come from the registered inputs (node groups' desired size and instance types, RDS
  class/Multi-AZ/storage, cache node type and node count ...), so the estimate follows the
  configuration instead of restating it.
* Usage-based charges (CloudFront traffic, S3 bytes, log volume ...) cannot be read from a plan;
  they come from named assumptions in the table, shown in the rendering and overridable.
* A resource type is either priced here, declared free in the table, or reported *unpriced*: a
  new kind of resource can never vanish from the estimate silently.
* A month is 730 hours (24 x 365 / 12), AWS's own convention.

The code, a module each: ``model`` (line items, unpriced resources, assumptions), ``table``
(the price table and the usage profile), ``pricing`` (what a price handler gets, how it
registers), the handlers by domain (``compute``, ``network``, ``data``, ``security``, ``edge``,
``operations``), ``estimate`` and ``render``.
"""

from tools.cost.estimate import component_of, estimate, pricing_of
from tools.cost.model import (
    DEFAULT_USAGE_PROFILE,
    HOURS_PER_MONTH,
    PRICES_PATH,
    SEED_ANCHOR_USD,
    Assumption,
    CostEstimate,
    LineItem,
    Unpriced,
)
from tools.cost.render import anchor_breakdown, render, usd
from tools.cost.table import load_prices

__all__ = [
    "DEFAULT_USAGE_PROFILE",
    "HOURS_PER_MONTH",
    "PRICES_PATH",
    "SEED_ANCHOR_USD",
    "Assumption",
    "CostEstimate",
    "LineItem",
    "Unpriced",
    "anchor_breakdown",
    "component_of",
    "estimate",
    "load_prices",
    "pricing_of",
    "render",
    "usd",
]
