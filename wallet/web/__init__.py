"""HTTP plumbing shared by every interface: bodies, request log, metrics."""
