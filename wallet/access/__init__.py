"""Who may: shop API keys (with their rate limits and client networks), operator keys, the
server's signing keys, cashier sessions, agent tokens and credentials, password hashes. Secrets
are kept as digests or sealed, never as they were given."""
