"""Messaging: who may write to whom (upline and downline only), the 3000-character limit,
unread counts, chats' order and pages, recipients, the per-minute cap, bad input."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.agents.conftest import GENEROUS, Desk, login
from tests.agents.test_auth import assert_envelope
from tests.support import Server
from wallet.agents.messaging import (
    ChatData,
    ChatsData,
    RecipientsData,
    SendMessageData,
    UnreadData,
)


def family(open_desk: Callable[..., Desk]) -> dict[str, Desk]:
    """top -> mid -> leaf, top -> aunt (mid's sibling), and a stranger of another tree."""
    top = open_desk()
    mid = open_desk(parent=top.agent)
    return {
        "top": top,
        "mid": mid,
        "leaf": open_desk(parent=mid.agent),
        "aunt": open_desk(parent=top.agent),
        "stranger": open_desk(),
    }


def send(desk: Desk, to: Desk, text: str = "hello") -> dict[str, Any]:
    data = desk.ok("/message/send", {"toAffiliateId": str(to.agent.id), "message": text})
    SendMessageData.model_validate(data)
    return data


def test_upline_and_downline_only(open_desk: Callable[..., Desk]) -> None:
    f = family(open_desk)
    data = send(f["mid"], f["top"], "to my parent")
    assert data["fromAffiliateId"] == str(f["mid"].agent.id)
    assert data["toAffiliateId"] == str(f["top"].agent.id)
    assert (data["message"], data["read"], data["readAt"]) == ("to my parent", False, None)
    assert data["id"].isdigit() and data["createdAt"].endswith("Z")
    send(f["top"], f["leaf"], "two levels down")
    send(f["leaf"], f["top"], "two levels up")
    # An affiliate id as a JSON number works too.
    f["leaf"].ok("/message/send", {"toAffiliateId": f["mid"].agent.id, "message": "n"})
    for sender, recipient in (("mid", "aunt"), ("leaf", "aunt"), ("aunt", "leaf"),
                              ("mid", "stranger"), ("stranger", "top")):  # fmt: skip
        answer = f[sender].call(
            "/message/send", {"toAffiliateId": str(f[recipient].agent.id), "message": "hi"}
        )
        assert_envelope(answer, 403, "FORBIDDEN")
        # Nor may they read a chat with each other.
        chat = f[sender].call("/message/chat", {"affiliateId": str(f[recipient].agent.id)})
        assert_envelope(chat, 403, "FORBIDDEN")
    for unknown in ("9223372036854775807", "0"):
        answer = f["mid"].call("/message/send", {"toAffiliateId": unknown, "message": "hi"})
        assert_envelope(answer, 404, "NOT_FOUND")
    myself = f["mid"].call(
        "/message/send", {"toAffiliateId": str(f["mid"].agent.id), "message": "x"}
    )
    assert_envelope(myself, 400, "BAD_REQUEST")
    # The refused ones left nothing behind.
    assert f["aunt"].ok("/message/unread")["unreadMessages"] == 0
    assert f["stranger"].ok("/message/chats")["total"] == 0


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("a" * 3000, 200),
        ("a" * 3001, 400),
        ("€" * 3000, 200),  # 9000 bytes, 3000 characters
        ("😀" * 3000, 200),  # 12000 bytes, outside the BMP
        ("😀" * 3001, 400),
        ("", 400),
        ("  \n\t ", 400),
        ("nul\x00inside", 400),
    ],
)
def test_the_limit_is_3000_characters(
    open_desk: Callable[..., Desk], text: str, status: int
) -> None:
    top = open_desk()
    sub = open_desk(parent=top.agent)
    answer = top.call("/message/send", {"toAffiliateId": str(sub.agent.id), "message": text})
    if status == 400:
        error = assert_envelope(answer, 400, "BAD_REQUEST")
        assert error["message"].startswith("message") or "NUL" in error["message"]
        assert sub.ok("/message/unread")["unreadMessages"] == 0
        return
    assert assert_envelope(answer, 200)["message"] == text
    chat = sub.ok("/message/chat", {"affiliateId": str(top.agent.id)})
    assert [m["message"] for m in chat["messages"]] == [text]  # stored exactly


def test_a_lone_surrogate_is_refused_not_a_500(open_desk: Callable[..., Desk]) -> None:
    top = open_desk()
    sub = open_desk(parent=top.agent)
    body = f'{{"toAffiliateId": "{sub.agent.id}", "message": "bad \\ud800 half"}}'
    answer = top.client.post(
        "/api/message/send",
        content=body.encode(),
        headers={"Authorization": f"Bearer {top.token}", "Content-Type": "application/json"},
    )
    assert_envelope(answer, 400, "BAD_REQUEST")


def test_unread_counts_go_up_on_send_and_down_on_reading(open_desk: Callable[..., Desk]) -> None:
    f = family(open_desk)
    top, mid, leaf = f["top"], f["mid"], f["leaf"]
    sent = [send(top, mid, f"from top {i}") for i in range(3)]
    send(leaf, mid, "from leaf 0")
    send(leaf, mid, "from leaf 1")
    unread = mid.ok("/message/unread")
    UnreadData.model_validate(unread)
    assert unread == {
        "unreadMessages": 5,
        "unreadChats": 2,
        "chats": [  # the newest unread first
            {"affiliateId": str(leaf.agent.id), "username": leaf.username, "unread": 2},
            {"affiliateId": str(top.agent.id), "username": top.username, "unread": 3},
        ],
        "unreadNotifications": 0,
    }
    # The sender's own messages are not unread to it.
    assert top.ok("/message/unread")["unreadMessages"] == 0
    # Reading the chat (even one message of it) marks all of top's messages to mid read.
    chat = mid.ok("/message/chat", {"affiliateId": str(top.agent.id), "limit": 1})
    ChatData.model_validate(chat)
    assert (chat["count"], chat["total"], chat["markedRead"]) == (1, 3, 3)
    assert (chat["relation"], chat["username"]) == ("upline", top.username)
    assert chat["messages"][0]["id"] == sent[-1]["id"] and chat["messages"][0]["read"] is True
    after = mid.ok("/message/unread")
    assert (after["unreadMessages"], after["unreadChats"]) == (2, 1)
    assert mid.ok("/message/chat", {"affiliateId": str(top.agent.id)})["markedRead"] == 0
    # The sender sees its messages read; mid's reply is unread to top until top reads.
    seen = top.ok("/message/chat", {"affiliateId": str(mid.agent.id)})
    assert [m["read"] for m in seen["messages"]] == [True, True, True]
    assert all(m["readAt"] for m in seen["messages"])
    send(mid, top, "reply")
    assert top.ok("/message/unread")["unreadMessages"] == 1
    chats = mid.ok("/message/chats")
    assert [(c["affiliateId"], c["unread"]) for c in chats["chats"]] == [
        (str(top.agent.id), 0),
        (str(leaf.agent.id), 2),
    ]


def test_chats_are_newest_first_and_paged(open_desk: Callable[..., Desk]) -> None:
    top = open_desk()
    a, b, c = (open_desk(parent=top.agent) for _ in range(3))
    send(a, top, "a1")
    send(top, b, "to b")
    send(c, top, "c1")
    send(a, top, "a2")
    chats = top.ok("/message/chats")
    ChatsData.model_validate(chats)
    assert (chats["count"], chats["total"]) == (3, 3)
    rows = chats["chats"]
    assert [r["affiliateId"] for r in rows] == [str(d.agent.id) for d in (a, c, b)]
    assert [r["unread"] for r in rows] == [2, 1, 0]
    assert rows[0]["lastMessage"]["message"] == "a2"
    assert rows[0]["lastMessageAt"] == rows[0]["lastMessage"]["createdAt"]
    assert rows[2]["lastMessage"]["fromAffiliateId"] == str(top.agent.id)
    assert {r["relation"] for r in rows} == {"downline"}
    page = top.ok("/message/chats", {"start": 1, "limit": 1})
    assert (page["count"], page["total"]) == (1, 3)
    assert page["chats"][0]["affiliateId"] == str(c.agent.id)
    assert top.ok("/message/chats", {"start": 3})["chats"] == []
    # One chat's messages, newest first, in pages.
    for i in range(4):
        send(top, a, f"t{i}")
    first = top.ok("/message/chat", {"affiliateId": str(a.agent.id), "limit": 4})
    assert [m["message"] for m in first["messages"]] == ["t3", "t2", "t1", "t0"]
    rest = top.ok("/message/chat", {"affiliateId": str(a.agent.id), "start": 4, "limit": 4})
    assert [m["message"] for m in rest["messages"]] == ["a2", "a1"]
    assert (rest["count"], rest["total"], rest["markedRead"]) == (2, 6, 0)
    # a's side shows the same chat; top is a's upline.
    assert a.ok("/message/chats")["chats"][0]["relation"] == "upline"


def test_recipients_are_the_upline_then_the_downline(open_desk: Callable[..., Desk]) -> None:
    f = family(open_desk)
    grandchild = open_desk(parent=f["leaf"].agent)
    data = f["mid"].ok("/message/recipients")
    RecipientsData.model_validate(data)
    assert data == {
        "recipients": [
            {"affiliateId": str(f["top"].agent.id), "username": f["top"].username,
             "relation": "upline"},
            {"affiliateId": str(f["leaf"].agent.id), "username": f["leaf"].username,
             "relation": "downline"},
            {"affiliateId": str(grandchild.agent.id), "username": grandchild.username,
             "relation": "downline"},
        ],
        "count": 3,
        "total": 3,
    }  # fmt: skip
    up = grandchild.ok("/message/recipients")["recipients"]
    assert [r["affiliateId"] for r in up] == [str(f[n].agent.id) for n in ("leaf", "mid", "top")]
    page = grandchild.ok("/message/recipients", {"start": 1, "limit": 1})
    assert (page["count"], page["total"]) == (1, 3)
    assert page["recipients"][0]["username"] == f["mid"].username
    only = f["top"].ok("/message/recipients", {"username": f["aunt"].username[3:]})
    assert [r["username"] for r in only["recipients"]] == [f["aunt"].username]
    assert f["stranger"].ok("/message/recipients")["total"] == 0


BAD_BODIES: list[tuple[str, Mapping[str, Any]]] = [
    ("/message/send", {}),
    ("/message/send", {"toAffiliateId": "1"}),
    ("/message/send", {"message": "hi"}),
    ("/message/send", {"toAffiliateId": "1", "message": 5}),
    ("/message/send", {"toAffiliateId": "1", "message": ["hi"]}),
    ("/message/send", {"toAffiliateId": True, "message": "hi"}),
    ("/message/send", {"toAffiliateId": 1.5, "message": "hi"}),
    ("/message/send", {"toAffiliateId": "abc", "message": "hi"}),
    ("/message/send", {"toAffiliateId": "-3", "message": "hi"}),
    ("/message/send", {"toAffiliateId": "99999999999999999999", "message": "hi"}),
    ("/message/send", {"toAffiliateId": None, "message": "hi"}),
    ("/message/chat", {}),
    ("/message/chat", {"affiliateId": {"id": 1}}),
    ("/message/chats", {"start": -1}),
    ("/message/chats", {"limit": 0}),
    ("/message/chats", {"limit": 101}),
    ("/message/chats", {"limit": "5"}),
    ("/message/chats", {"limit": 5.0}),
    ("/message/recipients", {"username": 7}),
    ("/message/recipients", {"start": True}),
    ("/notifications", {"unreadOnly": "yes"}),
    ("/notifications", {"markRead": 1}),
    ("/notifications", {"limit": None}),
]


@pytest.mark.parametrize(("path", "body"), BAD_BODIES)
def test_bad_input_is_400_never_500(
    open_desk: Callable[..., Desk], path: str, body: Mapping[str, Any]
) -> None:
    desk = open_desk()
    assert_envelope(desk.call(path, body), 400, "BAD_REQUEST")


def test_not_json_and_no_credentials(open_desk: Callable[..., Desk], api: httpx.Client) -> None:
    desk = open_desk()
    headers = {"Authorization": f"Bearer {desk.token}", "Content-Type": "application/json"}
    for raw in (b"[1, 2]", b"{not json", b'"text"'):
        answer = api.post("/api/message/send", content=raw, headers=headers)
        assert_envelope(answer, 400, "BAD_REQUEST")
    for path in ("/message/send", "/message/chats", "/message/unread", "/notifications"):
        assert_envelope(api.post(f"/api{path}", json={}), 401, "AUTH_ERROR")
    assert_envelope(api.get("/api/message/chats"), 404, "NOT_FOUND")


def test_messages_per_minute_are_capped(
    start_server: Callable[[Mapping[str, str]], Server], open_desk: Callable[..., Desk]
) -> None:
    server = start_server({**GENEROUS, "AGENT_MESSAGE_RATE_LIMIT_PER_MINUTE": "3"})
    top = open_desk()
    sub = open_desk(parent=top.agent)
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        token = login(client, top.username).json()["data"]["token"]
        Server.extra_secrets.add(token)
        desk = Desk(top.agent, token, client)
        body = {"toAffiliateId": str(sub.agent.id), "message": "otp"}
        answers = [desk.call("/message/send", body) for _ in range(7)]
    statuses = [a.status_code for a in answers]
    # 3 a minute: 7 sends in a row cross at most one minute boundary, so at most 6 pass.
    assert 429 in statuses and statuses.count(200) <= 6, statuses
    refused = next(a for a in answers if a.status_code == 429)
    assert_envelope(refused, 429, "RATE_LIMITED")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert sub.ok("/message/unread")["unreadMessages"] == statuses.count(200)


def test_two_agents_writing_to_each_other_at_once(open_desk: Callable[..., Desk]) -> None:
    top = open_desk()
    sub = open_desk(parent=top.agent)
    pairs = [(top, sub), (sub, top)] * 10

    def one(pair: tuple[Desk, Desk]) -> int:
        sender, recipient = pair
        with httpx.Client(base_url=str(sender.client.base_url), timeout=30) as client:
            desk = Desk(sender.agent, sender.token, client)
            return int(send(desk, recipient, "at once")["id"])

    with ThreadPoolExecutor(max_workers=10) as pool:
        ids = list(pool.map(one, pairs))
    for desk in (top, sub):
        assert desk.ok("/message/unread")["unreadMessages"] == 10
        [chat] = desk.ok("/message/chats")["chats"]
        assert int(chat["lastMessage"]["id"]) == max(ids)  # never moved back by a slower send
        assert chat["unread"] == 10
