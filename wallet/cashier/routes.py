"""The cashier API's routing table, mounted at /api: the document's paths, exactly."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from wallet.cashier import auth, money, players
from wallet.cashier.gate import preflight


def routes() -> list[BaseRoute]:
    return [
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/cashier/me", auth.me, methods=["GET"]),
        Route("/cashier/players", players.list_shop_players, methods=["GET"]),
        Route("/cashier/players", players.create, methods=["POST"]),
        Route("/cashier/player", players.get_player_by_query, methods=["GET"]),
        Route("/cashier/player/password", players.password_by_query, methods=["POST"]),
        Route("/cashier/players/{user}", players.get_player, methods=["GET"]),
        Route("/cashier/players/{user}/password", players.password, methods=["POST"]),
        Route("/cashier/players/{user}/balance/add", money.deposit, methods=["PUT"]),
        Route("/cashier/players/{user}/balance/out", money.withdraw, methods=["PUT"]),
        Route("/cashier/players/{user}/reverse", money.reverse, methods=["POST"]),
        # A browser's CORS preflight, for any path above.
        Route("/{path:path}", preflight, methods=["OPTIONS"]),
    ]
