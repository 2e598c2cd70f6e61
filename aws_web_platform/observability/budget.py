"""CostBudget: a monthly AWS Budgets cost budget that warns before the money is spent.

Actual spend alerts at each configured percentage (spec: 80 % and 100 %) and a forecast above
100 % alerts too, all to the warning topic, whose policy lets budgets.amazonaws.com publish
for this account. By default the budget counts only costs tagged with the stack's Project
and Environment (the provider's default tags put them on every resource); those tags must be
activated as cost allocation tags once in the Billing console, or the budget counts nothing.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field

from aws_web_platform.core.fields import InputStr, Wiring, compose
from aws_web_platform.observability.config import BudgetConfig


class CostBudgetWiring(Wiring):
    """What :class:`CostBudget` is wired to besides its settings."""

    budget_name: str = Field(
        pattern=r"^[^:\\]{1,100}$", description="Name of the budget (unique in the account)."
    )
    topic_arn: InputStr = Field(description="SNS topic (ARN) receiving the alerts. Required.")
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Cost allocation tags the costs must carry (all of them) when "
        "filter_by_tags is true. Default none.",
    )


class CostBudgetArgs(BudgetConfig, CostBudgetWiring):
    """Arguments of :class:`CostBudget`: its settings (``BudgetConfig``) and its wiring
    (``CostBudgetWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: BudgetConfig, wiring: CostBudgetWiring) -> CostBudgetArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class CostBudget(pulumi.ComponentResource):
    """A monthly cost budget with actual and forecast alerts."""

    budget: aws.budgets.Budget

    def __init__(
        self, name: str, args: CostBudgetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:observability:CostBudget", name, None, opts)
        notifications = [
            aws.budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN",
                notification_type="ACTUAL",
                threshold=percent,
                threshold_type="PERCENTAGE",
                subscriber_sns_topic_arns=[args.topic_arn],
            )
            for percent in sorted(set(args.alert_percents))
        ]
        notifications.append(
            aws.budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN",
                notification_type="FORECASTED",
                threshold=100,
                threshold_type="PERCENTAGE",
                subscriber_sns_topic_arns=[args.topic_arn],
            )
        )
        filters: dict[str, Any] = {}
        if args.filter_by_tags and args.tags:
            tags = sorted(args.tags.items())
            if len(tags) == 1:
                key, value = tags[0]
                filters["filter_expression"] = aws.budgets.BudgetFilterExpressionArgs(
                    tags=aws.budgets.BudgetFilterExpressionTagsArgs(
                        key=key, values=[value], match_options=["EQUALS"]
                    )
                )
            else:
                filters["filter_expression"] = aws.budgets.BudgetFilterExpressionArgs(
                    ands=[
                        aws.budgets.BudgetFilterExpressionAndArgs(
                            tags=aws.budgets.BudgetFilterExpressionAndTagsArgs(
                                key=key, values=[value], match_options=["EQUALS"]
                            )
                        )
                        for key, value in tags
                    ]
                )
        self.budget = aws.budgets.Budget(
            f"{name}-budget",
            name=args.budget_name,
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{args.monthly_limit_usd:.2f}",
            limit_unit="USD",
            notifications=notifications,
            **filters,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"budget_name": self.budget.name})
