"""Who exists: the operator and its players of each kind (a studio's, a shop's, an agent's), the
agent tree, shops and their cashiers. Each is rows of its own tables beside the ledger accounts
it owns; creating one with an opening balance is one unit of work."""
