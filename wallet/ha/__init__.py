"""High availability of the database: a pg_auto_failover formation (a monitor, a primary and a
synchronous secondary) that `wallet ha up|status|down` runs on one machine for development and
tests. On three machines the same roles run one per machine (README "Running on more than one
machine"). The engine is pg_auto_failover's; this package only lays a formation out and starts
it."""
