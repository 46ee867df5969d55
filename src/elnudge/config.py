"""One Settings object, read from ELNUDGE_* environment variables and passed in explicitly."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///elnudge.db"


class Settings(BaseSettings):
    """Runtime configuration. Every field maps to an `ELNUDGE_<NAME>` environment variable."""

    model_config = SettingsConfigDict(env_prefix="ELNUDGE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Shared rate-limit counters for several API processes; in-process memory when unset.
    redis_url: str | None = None
    rate_limit_per_minute: int = 1000
    # A `limits` rule such as "3/2 seconds" that replaces rate_limit_per_minute (tests, tuning).
    rate_limit: str | None = None
    relay_rate_limit_per_minute: int = 10_000
    # Per client address and site key, so one client cannot spend a store's whole relay budget.
    relay_client_rate_limit_per_minute: int = 1_000
    # The chat panel (docs/api.md, Conversations): the longest message a shopper may send, and
    # how many messages a minute one session, and one client address per site key, may send.
    chat_max_message_chars: int = 1000
    chat_session_rate_limit_per_minute: int = 10
    chat_client_rate_limit_per_minute: int = 30
    # The chat's llm responder: any OpenAI-compatible chat-completions endpoint (Ollama, vLLM,
    # llama.cpp, a hosted one). Unset base URL: a site set to `llm` is answered by knowledge.
    llm_base_url: str | None = None
    llm_model: str = "llama3.2"
    llm_api_key: str | None = None  # sent as a bearer token; never logged
    # The whole answer must arrive within this time, or the knowledge answer is used instead.
    llm_timeout_seconds: float = 8.0
    llm_max_tokens: int = 300
    # How long a rolled key keeps working (docs/api.md, Ids and Keys).
    key_roll_grace_seconds: int = 3600
    max_body_bytes: int = 1024 * 1024
    max_batch_events: int = 1000
    # How far into the future an event time may be, against the server clock.
    max_future_skew_seconds: int = 300
    # The server upgrades the schema on start; `elnudge serve` does it once before forking workers.
    migrate_on_start: bool = True
    # How long a dashboard sign-in lasts before the password is asked again.
    dashboard_session_hours: int = 12
    # Wrong dashboard passwords per account before further attempts wait (a `limits` rule).
    dashboard_signin_failures: str = "5/15 minutes"
    # Dashboard sign-in attempts per client address (a `limits` rule).
    dashboard_signin_per_client: str = "30/minute"
    # Development only: webhooks may go to plain http:// and loopback addresses.
    webhooks_allow_local: bool = False
    # `elnudge serve` runs the webhook worker in each process (`elnudge webhooks worker` is the
    # same loop on its own, for deployments that turn this off).
    webhooks_worker: bool = True
    # `elnudge demo` sets this to its demo site's public key to serve the demo shop at /shop;
    # unset (the default) the app serves the API alone.
    shop_site_key: str | None = None
