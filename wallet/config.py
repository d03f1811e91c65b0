"""Settings from the environment: the one place configuration is read (docs/settings.md)."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parent.parent

# Signed values per iGamingAce endpoint, in order (protocols/igamingace.md, "Data Sign").
IGAMINGACE_SIGNED_FIELDS_DEFAULT: dict[str, list[str]] = {
    "GetBalance": ["agentID", "userID"],
    "Withdraw": ["agentID", "userID", "amount", "transactionID", "roundID"],
    "Deposit": ["agentID", "userID", "amount", "transactionID", "roundID"],
    "BetWin": ["agentID", "userID", "betAmount", "winAmount", "transactionID", "roundID"],
    "RollbackTransaction": ["agentID", "userID", "refTransactionID"],
}


class TransferStudio(BaseModel):
    """One transfer-wallet studio (protocols/transfer.md): an entry of TRANSFER_STUDIOS."""

    base_url: str
    agent: str
    key: SecretStr = SecretStr("")
    codec: str = Field(default="aesgcm", pattern="^(aesgcm|plain)$")
    currencies: list[str] = Field(default_factory=lambda: ["THB"])
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=10)  # a call's resends (same transaction id)
    backoff_s: float = Field(default=0.2, gt=0)  # first pause; doubles, capped at backoff_max_s
    backoff_max_s: float = Field(default=5.0, gt=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # Database. Empty: the embedded PostgreSQL under DATA_DIR (started on demand). A
    # pg_auto_failover formation's URL lists every node with target_session_attrs=read-write:
    # libpq connects to whichever is the primary (README "Running on more than one machine").
    database_url: str = ""
    # Optional: where the agent reports, the dashboard's reads and the paged lists read (the
    # same nodes with target_session_attrs=prefer-standby: the secondary, else the primary).
    # They may lag the primary (README, "What a report may miss"); money never reads here.
    database_read_url: str = ""
    data_dir: Path = ROOT_DIR / ".data"
    schema_dir: Path = ROOT_DIR / "schema"
    # Connections per worker. Few on purpose: the pool hands its connections out in turn, so at
    # a steady rate every statement met a backend gone cold since its last one. With 10 per
    # worker, PostgreSQL spent ~750 us of CPU per callback at 1,000/s; with 4, ~530 us, the
    # paced p99 fell from 10-17 ms to 6-8 ms, and saturation gained 6% (batching absorbs the
    # concurrency). A database with more cores may want more.
    db_pool_size: int = Field(default=4, ge=1, le=200)
    db_pool_timeout_s: float = Field(default=0.5, gt=0)
    db_connect_timeout_s: int = Field(default=2, ge=1)
    db_statement_timeout_ms: int = Field(default=5000, ge=100)
    # Game-call batches in flight per worker. Calls that arrive while every pipeline has a batch
    # in the database ride together in the next one: fewer pipelines make bigger batches (fewer
    # round trips, statements and commits per call), more make a quiet server answer sooner.
    # Two: the load pass's throughput matched one's, and the paced latency was lower
    # (docs/performance.md).
    db_batch_pipelines: int = Field(default=2, ge=1)

    # HTTP service.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    web_concurrency: int = Field(default=1, ge=1, le=64)
    request_body_max_bytes: int = Field(default=65536, ge=1024)
    request_body_timeout_s: float = Field(default=10.0, gt=0)
    log_level: str = "info"
    # The proxies (load balancers) whose X-Forwarded-For / X-Forwarded-Proto are believed:
    # comma-separated addresses or CIDRs, or "*" (any peer: only when nothing but the proxy can
    # reach the server). Empty: none; the TCP peer is the client, whatever a header says. Every
    # client address check (rate limits, the studios' and API keys' allowlists, the log) judges
    # the address this gives (docs/settings.md).
    forwarded_allow_ips: str = ""
    # GET /metrics: with METRICS_TOKEN set, only with `Authorization: Bearer <it>`; empty: only to
    # clients on this machine (loopback), e.g. a Prometheus agent beside the server.
    metrics_token: SecretStr = SecretStr("")
    # Logins per account, cashiers and agents alike: LOGIN_FAILURES_MAX failures within
    # LOGIN_LOCKOUT_S lock the account's logins for LOGIN_LOCKOUT_S (429 with Retry-After).
    login_failures_max: int = Field(default=5, ge=1, le=1000)
    login_lockout_s: int = Field(default=900, ge=1, le=86400)

    # The operator whose players the callbacks address (players are unique per operator).
    operator_code: str = "demo"

    # AMBSlot seamless wallet (protocols/ambslot.md).
    ambslot_agent_id: str = "ambdemo"
    ambslot_allowed_ips: str = "127.0.0.0/8,::1/128"
    ambslot_key: SecretStr = SecretStr("")
    ambslot_game_ids: str = ""

    # iGamingAce seamless wallet (protocols/igamingace.md).
    igamingace_agent_id: str = "Partner01"
    igamingace_secret: SecretStr = SecretStr("1234567890")
    igamingace_signed_fields: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in IGAMINGACE_SIGNED_FIELDS_DEFAULT.items()}
    )

    # Cashier API (protocols/cashier.md). API_JWT_SECRET empty: the server generates a signing
    # key once and keeps it in the database (table signing_keys), shared by every worker.
    api_jwt_secret: SecretStr = SecretStr("")
    api_jwt_ttl_s: int = Field(default=8 * 3600, ge=1, le=30 * 24 * 3600)
    api_login_rate_limit_per_minute: int = Field(default=10, ge=1)
    api_rate_limit_per_minute: int = Field(default=60, ge=1)

    # Agent platform API (protocols/agent-platform.md): login token lifetime (4 h), and login
    # attempts per minute per client address (failed body credentials count too).
    agent_token_ttl_s: int = Field(default=4 * 3600, ge=1, le=30 * 24 * 3600)
    agent_login_rate_limit_per_minute: int = Field(default=10, ge=1)
    # Messages an agent may send per minute (/api/message/send; then 429 RATE_LIMITED).
    agent_message_rate_limit_per_minute: int = Field(default=30, ge=1)
    # The operator's time zone (IANA name): the agent reports' days and their default month.
    operator_timezone: str = "UTC"

    # Transfer-wallet studios by name (JSON: {"NAME": {"base_url": ..., "agent": ..., "key": ...,
    # "codec": "aesgcm"|"plain", "currencies": [...]}}), and the server's background reconciler.
    transfer_studios: dict[str, TransferStudio] = Field(default_factory=dict)
    transfer_reconcile_interval_s: float = Field(default=30.0, ge=0)  # 0: no background task

    # Agent webhooks (docs/agents.md): the delivery worker each server process runs, how it
    # sends (timeout, lease > timeout: a claim is held that long before another worker may take
    # it again), the retry schedule (WEBHOOK_BACKOFF_S doubling per attempt up to
    # WEBHOOK_BACKOFF_MAX_S, with jitter), when it gives up, and the registrations' limit.
    # WEBHOOK_SECRET_KEY seals the receivers' secrets at rest (AES-256-GCM; empty: a key the
    # server generates into the database); changing it makes existing secrets unreadable.
    webhook_delivery_enabled: bool = True
    webhook_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    webhook_lease_s: float = Field(default=60.0, gt=0, le=3600)
    webhook_batch_max: int = Field(default=20, ge=1, le=500)
    webhook_attempts_max: int = Field(default=15, ge=1, le=100)
    webhook_age_max_s: float = Field(default=24 * 3600.0, gt=0)
    webhook_backoff_s: float = Field(default=5.0, gt=0)
    webhook_backoff_max_s: float = Field(default=3600.0, gt=0)
    webhook_registrations_max: int = Field(default=10, ge=1, le=1000)
    webhook_secret_key: SecretStr = SecretStr("")
    # Where webhooks may go (wallet/webhooks/destinations.py): public addresses over https by
    # default; WEBHOOK_ALLOW_PRIVATE=true also loopback, private and link-local ones (development,
    # the tests, receivers on the operator's own network), WEBHOOK_ALLOW_HTTP=true plain http.
    webhook_allow_private: bool = False
    webhook_allow_http: bool = False

    @model_validator(mode="after")
    def _webhook_lease(self) -> Settings:
        if self.webhook_lease_s <= self.webhook_timeout_s:
            raise ValueError("WEBHOOK_LEASE_S must exceed WEBHOOK_TIMEOUT_S")
        return self

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies(cls, spec: str) -> str:
        for part in (p.strip() for p in spec.split(",")):
            if part and part != "*":
                try:
                    ipaddress.ip_network(part, strict=False)
                except ValueError as error:
                    raise ValueError(f"bad proxy {part!r}: an address or a CIDR, or *") from error
        return spec

    @field_validator("operator_timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            message = f"unknown time zone {name!r} (an IANA name, e.g. Asia/Manila)"
            raise ValueError(message) from error
        return name

    @field_validator("transfer_studios")
    @classmethod
    def _studio_names(cls, studios: dict[str, TransferStudio]) -> dict[str, TransferStudio]:
        for name in studios:  # as schema/sql/0008_transfer_wallet.sql checks, and URL-safe
            if not re.fullmatch(r"[a-z0-9_-]{1,32}", name):
                raise ValueError(f"bad studio name {name!r}: 1-32 of a-z 0-9 _ -")
        return studios

    @property
    def embedded(self) -> bool:
        return not self.database_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
