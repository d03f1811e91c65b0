"""The agent platform API (protocols/agent-platform.md, seeds/agent-platform-api.txt), at /api.

routes.py is the table (one Operation per endpoint: the routes and the OpenAPI document are made
from it; spec.py is what the document says of the API as a whole); gate.py authenticates (token
or body credentials), rate-limits logins and turns every refusal, outage or bug into the envelope
(envelope.py); fields.py reads the body and holds the field types of the endpoints' pydantic
models (<X>Request, read with fields.validated; answers are <X>Data models); auth.py,
directory.py, money.py and smart.py are the endpoints; the ledger (wallet/directory/agents.py,
agent_players.py, agent_money.py) does every read and write.

Decisions where the document leaves room (docs/agents.md lists them too):
- An agent acts on its own players and sub-agents and on everyone below them; anyone else is
  403 FORBIDDEN, an unknown name or id 404 NOT_FOUND.
- Money: an agent spends its balance, then its credit line; moneyType CREDIT grants (or takes
  back unused) credit line, backed by the parent's money; see schema/sql/0009_agents.sql.
- A sub-agent has its parent's currency. An unknown path or a wrong method: 404 NOT_FOUND.
- A database outage or a bug: 500 SERVER_ERROR with the requestId, never a stack trace.
"""
