"""Agents' webhooks: registrations and their sealed secrets, the outbox of events written in the
money's own unit of work, and the worker that delivers them (signed, retried, leased)."""
