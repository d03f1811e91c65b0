"""wallet: the operator-side money server of an online casino."""
