"""Studio simulators: they call our callbacks the way the real studios do, retries included.

Used by the tests (tests/providers) and by locust (loadtest/locustfile.py).
"""
