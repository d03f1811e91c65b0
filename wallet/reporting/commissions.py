"""Agents' commission rates (revision 0012): the percent of its subtree's GGR an agent earns, in
basis points, set by its parent. A change writes the sub-agent's notification (title_key
'commission.changed', variables oldPercent/newPercent/setBy) in the same statement, so the rate
and its notice commit together or not at all; setting the rate it already has changes nothing
and notifies no one."""

from __future__ import annotations

from wallet.directory.agents import Agent
from wallet.ledger.database import Queries

TITLE_KEY = "commission.changed"


async def commission_of(db: Queries, agent_id: int) -> int:
    row = await db.one("SELECT commission_bp FROM agents WHERE id = %s", (agent_id,))
    assert row is not None, agent_id
    return int(row[0])


async def set_commission(
    db: Queries, sub: Agent, commission_bp: int, set_by: str, parent: Agent | None
) -> int:
    """Set the agent's rate (by its parent through the API, or by the operator's command with
    parent None); answers the rate it had."""
    assert 0 <= commission_bp <= 10_000
    parent_id = None if parent is None else parent.id
    row = await db.one(
        """
        WITH old AS (SELECT id, commission_bp FROM agents
                      WHERE id = %s AND (%s::bigint IS NULL OR parent_id = %s::bigint)
                     FOR UPDATE),
        changed AS (UPDATE agents a SET commission_bp = %s FROM old
                     WHERE a.id = old.id AND old.commission_bp <> %s RETURNING a.id),
        noted AS (INSERT INTO agent_notifications (agent_id, title_key, variables)
                  SELECT old.id, %s, jsonb_build_object(
                         'oldPercent', trim_scale(old.commission_bp::numeric / 100),
                         'newPercent', trim_scale(%s::numeric / 100),
                         'setBy', %s::text)
                    FROM old JOIN changed ON changed.id = old.id
                  RETURNING id)
        SELECT old.commission_bp, (SELECT count(*) FROM noted) FROM old
        """,
        (
            sub.id,
            parent_id,
            parent_id,
            commission_bp,
            commission_bp,
            TITLE_KEY,
            commission_bp,
            set_by,
        ),
    )
    assert row is not None, (parent_id, sub.id)  # the caller checked who sub is
    return int(row[0])
