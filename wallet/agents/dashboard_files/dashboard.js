// The agent dashboard: logs in to the agent API (/api on this origin), then shows the period's
// daily report as charts, the top players, the settlement and the unread messages. The token
// lives only in this page's memory. Text from the API is set with textContent, never as HTML.
"use strict";

const state = { token: null, currency: "", charts: {} };

const $ = (id) => document.getElementById(id);

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method: "POST", headers, body: JSON.stringify(body || {}), cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(0, "NETWORK", "The server cannot be reached.");
  }
  let envelope = null;
  try {
    envelope = await response.json();
  } catch (error) {
    throw new ApiError(response.status, "BAD_ANSWER", `Unexpected answer (${response.status}).`);
  }
  if (!envelope.success) {
    const error = envelope.error || {};
    if (response.status === 401 && state.token) logOut("Your session has ended; log in again.");
    throw new ApiError(response.status, error.code || "ERROR", error.message || "Request failed.");
  }
  return envelope.data;
}

// ---- numbers and dates --------------------------------------------------------------------

const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const showMoney = (value) => money.format(Number(value || 0));

function isoDay(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
const apiDay = (iso) => iso.replaceAll("-", "/");

function thisMonth() {
  const now = new Date();
  return [isoDay(new Date(now.getFullYear(), now.getMonth(), 1)), isoDay(now)];
}

function setStatus(element, text, isError) {
  element.textContent = text || "";
  element.classList.toggle("error", Boolean(isError));
}

// ---- session ------------------------------------------------------------------------------

async function logIn(event) {
  event.preventDefault();
  const status = $("login-form").querySelector(".form-status");
  setStatus(status, "Logging in…");
  const username = $("login-username").value.trim();
  try {
    const login = await api("/auth/login", {
      agentUsername: username, agentPassword: $("login-password").value,
    });
    state.token = login.token;
  } catch (error) {
    setStatus(status, error.message, true);
    return;
  }
  $("login-password").value = "";
  setStatus(status, "");
  $("me-username").textContent = username;
  $("login-view").hidden = true;
  $("session").hidden = false;
  $("work-view").hidden = false;
  await refresh();
}

function logOut(message) {
  state.token = null;
  $("work-view").hidden = true;
  $("session").hidden = true;
  $("login-view").hidden = false;
  setStatus($("global-status"), message || "", Boolean(message));
}

// ---- the period's figures -----------------------------------------------------------------

async function refresh(event) {
  if (event) event.preventDefault();
  const status = $("range-form").querySelector(".form-status");
  const range = { dateFrom: apiDay($("date-from").value), dateTo: apiDay($("date-to").value) };
  setStatus(status, "Loading…");
  try {
    const [wallet, summary, daily, players, settlement, unread, chats] = await Promise.all([
      api("/balance"),
      api("/reports/summary", range),
      api("/reports/daily", range),
      api("/reports/players", { ...range, sortBy: "ggr", onlyActive: true, limit: 10 }),
      api("/reports/settlement", { ...range, limit: 100 }),
      api("/message/unread"),
      api("/message/chats", { limit: 100 }),
    ]);
    state.currency = wallet.currency || "";
    $("me-balance").textContent = showMoney(wallet.balance);
    $("me-currency").textContent = state.currency;
    showTotals(summary);
    drawCharts(daily.days);
    showTopPlayers(players.players);
    showSettlement(settlement.settlement);
    showUnread(unread, chats.chats);
    setStatus(status, "");
  } catch (error) {
    setStatus(status, error.message, true);
  }
}

function showTotals(summary) {
  for (const name of ["deposits", "withdrawals", "bets", "wins", "ggr", "commission"]) {
    $(`total-${name}`).textContent = showMoney(summary[name]);
  }
}

const COLORS = {
  deposits: "#0f6e6e", withdrawals: "#c2410c", bets: "#2f6fde", wins: "#9333ea", ggr: "#15803d",
};

function dataset(rows, name, label, type) {
  return {
    type, label, data: rows.map((row) => Number(row[name] || 0)),
    backgroundColor: COLORS[name], borderColor: COLORS[name], borderWidth: 2, pointRadius: 2,
  };
}

function drawChart(id, rows, sets) {
  if (state.charts[id]) state.charts[id].destroy();
  state.charts[id] = new window.Chart($(id), {
    data: { labels: rows.map((row) => row.date), datasets: sets },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true } },
      plugins: { legend: { position: "bottom" } },
    },
  });
}

function drawCharts(rows) {
  drawChart("money-chart", rows, [
    dataset(rows, "deposits", "Deposits", "bar"),
    dataset(rows, "withdrawals", "Withdrawals", "bar"),
  ]);
  drawChart("play-chart", rows, [
    dataset(rows, "bets", "Bets", "line"),
    dataset(rows, "wins", "Wins", "line"),
    dataset(rows, "ggr", "GGR", "bar"),
  ]);
}

function cell(text, numeric) {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "num";
  return td;
}

function fillTable(id, rows, cells) {
  const table = $(id);
  const body = table.querySelector("tbody");
  body.replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    tr.append(...cells(row));
    return tr;
  }));
  table.hidden = rows.length === 0;
  table.parentElement.querySelector(".empty").hidden = rows.length !== 0;
}

function showTopPlayers(rows) {
  fillTable("top-players", rows, (row) => [
    cell(row.username), cell(showMoney(row.bets), true), cell(showMoney(row.wins), true),
    cell(showMoney(row.ggr), true), cell(showMoney(row.deposits), true),
  ]);
}

function showSettlement(rows) {
  fillTable("settlement", rows, (row) => [
    cell(row.username), cell(String(row.transactionCount), true),
    cell(showMoney(row.rebateDue), true), cell(showMoney(row.rebateOwed), true),
    cell(showMoney(row.net), true),
  ]);
}

function showUnread(unread, chats) {
  const waiting = chats.filter((chat) => chat.unread > 0);
  $("unread-total").textContent = unread.unreadMessages ? String(unread.unreadMessages) : "";
  const list = $("unread-chats");
  list.replaceChildren(...waiting.map((chat) => {
    const item = document.createElement("li");
    const who = document.createElement("div");
    who.className = "who";
    who.textContent = `${chat.username} (${chat.unread})`;
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = chat.lastMessage.message;
    item.append(who, text);
    return item;
  }));
  list.parentElement.querySelector(".empty").hidden = waiting.length !== 0;
}

// ---- wiring -------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  const [from, to] = thisMonth();
  $("date-from").value = from;
  $("date-to").value = to;
  $("login-form").addEventListener("submit", logIn);
  $("range-form").addEventListener("submit", refresh);
  $("logout").addEventListener("click", () => logOut(""));
});
