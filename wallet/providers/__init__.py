"""Seamless-wallet protocols: one module per studio. Parse, check, one ledger call, render.

No SQL here: the adapters speak to wallet.ledger only.
"""
