"""The channels' money moves outside game play, each one ledger transaction: a cashier's (shop
float <-> player), an agent's (agent <-> player or sub-agent), the agent platform's smart
transfer (with bypasses and rebates), and a transfer-wallet studio's (player <-> studio)."""
