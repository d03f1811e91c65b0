"""Agents' messages to each other and the notifications the system writes them."""
