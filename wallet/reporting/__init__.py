"""Read models for the agent platform: game activity and money moves of a subtree in a range of
days (per player, sub-agent, day, product, totals), an agent's own moves and settlement, the
commission rates and the game -> product map."""
