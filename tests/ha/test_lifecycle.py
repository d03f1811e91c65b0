"""`wallet ha up|status|down` as an operator uses them: `up` on a running formation changes
nothing and prints the same URLs; `down` stops every process; `up` on the stopped directory
starts it all again with its data."""

from __future__ import annotations

import secrets

from tests.ha.conftest import HaFormation
from tests.support import LoopThread, make_ledger
from wallet.directory.players import create_player, find_player
from wallet.ledger.database import LedgerDB


def test_down_then_up_keeps_the_data_and_the_urls(
    formation: HaFormation, ha_ledger: LedgerDB, loop: LoopThread
) -> None:
    name = f"hl{secrets.token_hex(5)}"
    loop.run(create_player(ha_ledger, 1, name, "THB", 12_345))
    loop.run(ha_ledger.dispose())
    urls = (formation.url, formation.read_url)
    before = formation.status()
    formation.up()  # all running: nothing to start
    assert (formation.url, formation.read_url) == urls
    assert formation.status() == before

    from tests.ha.conftest import wallet

    assert wallet("ha", "down", "--dir", str(formation.root)).startswith("down: stopped node1")
    stopped = formation.status()
    assert [(n.role, n.pid, n.keeper) for n in stopped] == [("unknown", None, None)] * 2, stopped

    formation.up()
    assert (formation.url, formation.read_url) == urls
    assert sorted(n.role for n in formation.status()) == ["primary", "secondary"]
    again = make_ledger(formation.url, loop, pool_size=1)
    try:
        player = loop.run(find_player(again, 1, name))
    finally:
        loop.run(again.dispose())
    assert player is not None and player.balance_minor == 12_345
