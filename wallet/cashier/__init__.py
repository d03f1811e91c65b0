"""The cashier API of retail shops (protocols/cashier.md, seeds/cashier-api.txt), at /api.

routes.py is the table; gate.py admits each request (rate limit, key, client IP, CORS, token)
and turns refusals into the document's error bodies; auth.py, players.py and money.py are the
endpoints; the ledger (wallet/directory/shops.py, shop_players.py, shop_money.py, ...) does every
read and write.

Decisions where the document leaves room (docs/cashier.md lists them too):
- A wrong or missing key: 403 {"fail": true, "message": "Invalid API key."}; a client address
  off the key's list: 403 "Access denied for this IP address."; a missing, malformed, expired
  or revoked token, a token of another shop's cashier or of a blocked one: 403 "No permission"
  (the document's row for a token that is not a cashier's). A player of another shop (or of
  no shop): 403 "No permission"; a player unknown to the operator: 404 "Wrong user".
- Validation errors, refused amounts, a shop or player that does not hold the money: 400. An
  Idempotency-Key used before with another request: 409. Over a rate limit: 429.
- {user} in a path is first a username of the cashier's shop, else a player id.
"""
