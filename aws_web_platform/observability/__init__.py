"""Operations: alert topics, Slack, alarms, dashboards and the cost budget."""
