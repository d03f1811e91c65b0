"""The cashier API's routing table, mounted at /api: the document's paths, exactly. One
`Operation` per endpoint, from which both the routes and the OpenAPI document
(wallet/web/openapi.py) are made."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from wallet.cashier import auth, money, players, till
from wallet.cashier.gate import preflight
from wallet.cashier.lookup import PlayerQuery
from wallet.cashier.spec import API, KEY, operation
from wallet.web.openapi import Operation

PLAYER = (400, 404)  # a player named by a query or a path: unknown, or a wrong query
MOVE = (*PLAYER, 409)


def operations() -> list[Operation]:
    op, p, m = operation, players, money
    return [
        Operation(
            "POST", "/login", auth.login, "Log in: a JWT", "cashier", API,
            request=auth.CashierLoginRequest, data=auth.CashierLoginAnswer,
            security=((KEY,),), errors=(400,),
        ),
        op("POST", "/logout", auth.logout, "Revoke the token", auth.MessageAnswer),
        op("GET", "/cashier/me", auth.me, "The cashier and the shop's balance", auth.MeAnswer),
        op("GET", "/cashier/players", p.list_players, "The shop's players",
           p.PlayerListAnswer, query=p.PlayerListQuery, errors=(400,)),
        op("POST", "/cashier/players", p.create, "New player (maybe an opening deposit)",
           p.CreatedPlayerAnswer, p.CreatePlayerRequest, errors=(400,)),
        op("GET", "/cashier/player", p.get_player_by_query, "A player by ?id= or ?username=",
           p.PlayerAnswer, query=PlayerQuery, errors=PLAYER),
        op("POST", "/cashier/player/password", p.password_by_query,
           "A player's new password, by ?id= or ?username=", auth.MessageAnswer,
           p.PasswordRequest, PlayerQuery, errors=PLAYER),
        op("GET", "/cashier/players/{user}", p.get_player, "A player", p.PlayerAnswer,
           errors=PLAYER),
        op("POST", "/cashier/players/{user}/password", p.password, "A player's new password",
           auth.MessageAnswer, p.PasswordRequest, errors=PLAYER),
        op("PUT", "/cashier/players/{user}/balance/add", m.deposit, "Deposit to a player",
           m.MoveAnswer, m.DepositRequest, errors=MOVE, idempotent=True),
        op("PUT", "/cashier/players/{user}/balance/out", m.withdraw, "Withdraw from a player",
           m.MoveAnswer, m.WithdrawRequest, errors=MOVE, idempotent=True),
        op("POST", "/cashier/players/{user}/reverse", m.reverse,
           "Reverse the player's latest deposit", m.ReverseAnswer, errors=MOVE, idempotent=True),
        # Beside the document (wallet/cashier/till.py): the console as a till.
        op("GET", "/cashier/shift", till.shift, "The cashier's shift: cash in and out",
           till.ShiftAnswer, query=till.ShiftQuery, errors=(400,)),
        op("GET", "/cashier/players/{user}/transactions", till.player_transactions,
           "A player's latest transactions", till.HistoryAnswer, query=till.HistoryQuery,
           errors=PLAYER),
    ]  # fmt: skip


def routes() -> list[BaseRoute]:
    return [
        *(operation.route() for operation in operations()),
        # A browser's CORS preflight, for any path above.
        Route("/{path:path}", preflight, methods=["OPTIONS"]),
    ]
