"""Transfer-wallet studios (protocols/transfer.md): we hold the player's money and move it out
to a studio that keeps its own balance, then back. codec = the wire's encryption, client = the
studio's five operations, moves = the two-phase movement over the ledger, reconciler = the
resolution of unknown answers and the comparison of balances, simulator = a studio of our own."""
