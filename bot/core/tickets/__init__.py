"""Tickets: the workflow (every status change), intake, SLA deadlines and alerts, follow-ups."""
