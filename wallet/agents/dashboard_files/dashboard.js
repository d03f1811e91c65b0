// The agent dashboard: logs in to the agent API (/api on this origin), then shows a period's
// totals beside the previous period's, the players' counts, the days as charts, the top
// players, sub-agents, products and settlement (each table also as CSV, equal to its report),
// the messages (open a chat, answer it) and the notifications. The token lives only in this
// page's memory. Text from the API is set with textContent, never as HTML. Amounts keep the
// API's exact decimal text and are written with their currency and cents (money.js); days and
// times are the operator's (the reports' timeZone), in one style, YYYY-MM-DD.
"use strict";

const { Money } = window;
const state = {
  token: null, username: "", currency: "", decimals: 2, zone: "UTC", charts: {},
  range: null, previous: null, chat: null, notifications: [], loading: false,
};
// The answers' amounts (and percentages), kept as their exact decimal text.
const MONEY_KEYS = new Set(["balance", "credit", "creditLine", "totalAvailable", "bonus",
  "frozenBalance", "deposits", "withdrawals", "bets", "wins", "ggr", "commission",
  "commissionPercent", "rebateOwed", "rebateDue", "surchargeOwed", "surchargeDue", "net",
  "rebateOwedBalance", "rebateDueBalance", "amount"]);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CSV_PAGE = 100;

const $ = (id) => document.getElementById(id);
const money = (value) => Money.format(value, state.currency, state.decimals);

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
    envelope = Money.parseJson(await response.text(), MONEY_KEYS);
  } catch (error) {
    throw new ApiError(response.status, "BAD_ANSWER", `Unexpected answer (${response.status}).`);
  }
  if (!envelope || !envelope.success) {
    const error = (envelope && envelope.error) || {};
    if (response.status === 401 && state.token) logOut("Your session has ended; log in again.");
    throw new ApiError(response.status, error.code || "ERROR", error.message || "Request failed.");
  }
  return envelope.data;
}

function setStatus(element, text, isError) {
  element.textContent = text || "";
  element.classList.toggle("error", Boolean(isError));
}

// ---- days ---------------------------------------------------------------------------------

// Days are calendar days (no time): kept as UTC dates, so no zone shifts them.
function toDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
    ? date : null;
}
const isoOf = (date) => date.toISOString().slice(0, 10);
const addDays = (date, n) => new Date(date.getTime() + n * 86_400_000);
const monthStart = (date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
const monthEnd = (date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0));
const daysBetween = (from, to) => Math.round((to - from) / 86_400_000) + 1;
const apiDay = (iso) => iso.replaceAll("-", "/");
const dayOf = (slashed) => String(slashed).replaceAll("/", "-");
const rangeText = (range) => `${range.from} to ${range.to}`;

function period(name) {
  const today = toDate(Money.today(state.zone));
  if (name === "today") return { from: isoOf(today), to: isoOf(today) };
  if (name === "7days") return { from: isoOf(addDays(today, -6)), to: isoOf(today) };
  if (name === "lastmonth") {
    const last = monthStart(addDays(monthStart(today), -1));
    return { from: isoOf(last), to: isoOf(monthEnd(last)) };
  }
  return { from: isoOf(monthStart(today)), to: isoOf(today) };
}

// What a period is compared with: a whole month with the month before; the start of a month
// with the same days of the month before; any other days with as many days just before them.
function previousOf(range) {
  const from = toDate(range.from);
  const to = toDate(range.to);
  const sameMonth = from.getUTCMonth() === to.getUTCMonth() &&
    from.getUTCFullYear() === to.getUTCFullYear();
  if (from.getUTCDate() === 1 && sameMonth) {
    const start = monthStart(addDays(from, -1));
    const end = isoOf(to) === isoOf(monthEnd(to))
      ? monthEnd(start)
      : new Date(Math.min(addDays(start, to.getUTCDate() - 1), monthEnd(start)));
    return { from: isoOf(start), to: isoOf(end) };
  }
  const days = daysBetween(from, to);
  return { from: isoOf(addDays(from, -days)), to: isoOf(addDays(from, -1)) };
}

// ---- session ------------------------------------------------------------------------------

async function logIn(event) {
  event.preventDefault();
  const form = $("login-form");
  const status = form.querySelector(".form-status");
  const button = form.querySelector("button");
  setStatus(status, "Logging in…");
  button.disabled = true;
  const username = $("login-username").value.trim();
  try {
    const login = await api("/auth/login", {
      agentUsername: username, agentPassword: $("login-password").value,
    });
    state.token = login.token;
    // The operator's time zone and this month (the reports' own default) in it.
    const [wallet, month] = await Promise.all([api("/balance"), api("/reports/summary", {})]);
    state.zone = month.timeZone || "UTC";
    showWallet(wallet);
  } catch (error) {
    setStatus(status, error.message, true);
    return;
  } finally {
    button.disabled = false;
  }
  $("login-password").value = "";
  setStatus(status, "");
  setStatus($("global-status"), "");
  state.username = username;
  $("me-username").textContent = username;
  $("login-view").hidden = true;
  $("session").hidden = false;
  $("work-view").hidden = false;
  const range = period("month");
  $("date-from").value = range.from;
  $("date-to").value = range.to;
  await Promise.all([refresh(), loadInbox()]);
}

function logOut(message) {
  state.token = null;
  for (const chart of Object.values(state.charts)) chart.destroy();
  state.charts = {};
  $("work-view").hidden = true;
  $("session").hidden = true;
  $("login-view").hidden = false;
  setStatus($("global-status"), message || "", Boolean(message));
}

// Log out: the page forgets the token at once, and the server revokes it (POST /api/auth/logout),
// so a copy of it (a proxy's log, another tab) is of no use either.
async function logOutEverywhere() {
  const token = state.token;
  logOut("");
  if (!token) return;
  try {
    await fetch("/api/auth/logout", {
      method: "POST", cache: "no-store", body: "{}",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    });
  } catch (error) {
    // Unreachable server: the token still dies when it expires.
  }
}

function showWallet(wallet) {
  state.currency = wallet.currency || "";
  state.decimals = Number.isInteger(wallet.decimals) ? wallet.decimals : 2;
  $("me-balance").textContent = money(wallet.balance);
}

// ---- the period's figures -----------------------------------------------------------------

function busy(on) {
  state.loading = on;
  for (const button of $("range-form").querySelectorAll("button")) button.disabled = on;
  for (const button of document.querySelectorAll("button.csv")) button.disabled = on;
  $("figures").setAttribute("aria-busy", String(on));
  $("figures").classList.toggle("loading", on);
}

// The dates typed, checked; else a message in the page's words.
function rangeTyped() {
  const from = $("date-from").value.trim();
  const to = $("date-to").value.trim();
  for (const [name, value] of [["From", from], ["To", to]]) {
    if (!DAY.test(value) || !toDate(value)) {
      return { error: `${name} must be a day written YYYY-MM-DD, e.g. ${Money.today(state.zone)}.` };
    }
  }
  if (from > to) return { error: `From (${from}) is after To (${to}): choose a From on or before To.` };
  return { from, to };
}

// The API's refusal of a range, in the page's words (its field names are the API's).
function reworded(message) {
  return message.replaceAll("dateFrom", "From").replaceAll("dateTo", "To");
}

async function refresh(event) {
  if (event) event.preventDefault();
  if (state.loading) return;
  const status = $("range-form").querySelector(".form-status");
  const typed = rangeTyped();
  if (typed.error) {
    refused(typed.error);
    return;
  }
  const range = { from: typed.from, to: typed.to };
  const previous = previousOf(range);
  const dates = (r) => ({ dateFrom: apiDay(r.from), dateTo: apiDay(r.to) });
  busy(true);
  setStatus(status, "");
  $("range-note").textContent = `Loading ${rangeText(range)}…`;
  try {
    const [wallet, summary, before, daily, players, agents, products, settlement] =
      await Promise.all([
        api("/balance"),
        api("/reports/summary", dates(range)),
        api("/reports/summary", dates(previous)),
        api("/reports/daily", dates(range)),
        api("/reports/players", { ...dates(range), sortBy: "ggr", onlyActive: true, limit: 10 }),
        api("/reports/agents", { ...dates(range), limit: 100 }),
        api("/reports/products", dates(range)),
        api("/reports/settlement", { ...dates(range), limit: 100 }),
      ]);
    state.range = range;
    state.previous = previous;
    state.zone = summary.timeZone || state.zone;
    showWallet(wallet);
    showTotals(summary, before);
    drawCharts(daily.days);
    showTopPlayers(players.players);
    showAgents(agents.agents);
    showProducts(products.products);
    showSettlement(settlement.settlement);
    $("range-note").textContent = `${rangeText(range)} (${daysBetween(toDate(range.from),
      toDate(range.to))} days), compared with ${rangeText(previous)}. Days in ${state.zone}.`;
  } catch (error) {
    refused(error.status === 400 ? `These dates cannot be shown: ${reworded(error.message)}`
      : `The figures could not be loaded: ${error.message}`);
  } finally {
    busy(false);
  }
}

// No figures under dates they are not of: everything is cleared, and the page says why.
function refused(message) {
  setStatus($("range-form").querySelector(".form-status"), message, true);
  state.range = null;
  $("range-note").textContent = "No figures shown.";
  for (const element of document.querySelectorAll(".totals .big, .totals .prev[id]")) {
    element.textContent = element.classList.contains("big") ? "—" : "";
  }
  for (const chart of Object.values(state.charts)) chart.destroy();
  state.charts = {};
  for (const id of ["top-players", "sub-agents", "products", "settlement"]) fillTable(id, [], () => []);
}

const MONEY_TOTALS = ["deposits", "withdrawals", "bets", "wins", "ggr", "commission"];
const COUNT_TOTALS = ["activePlayers", "newPlayers", "ftdCount"];

// "▲ 12.5%": the change against the previous period, from integer minor units (BigInt).
function change(now, before) {
  const a = typeof now === "bigint" ? now : BigInt(now);
  const b = typeof before === "bigint" ? before : BigInt(before);
  if (a === b) return "no change";
  if (b === 0n) return "new";
  const tenths = ((a - b) * 1000n) / (b < 0n ? -b : b);
  const sign = tenths > 0n ? "▲" : "▼";
  const size = tenths < 0n ? -tenths : tenths;
  return `${sign} ${size / 10n}.${size % 10n}%`;
}

// Each total with the previous period's beside it (the range note names that period).
function showTotals(summary, before) {
  const title = `The previous period: ${rangeText(state.previous)}`;
  for (const name of MONEY_TOTALS) {
    $(`total-${name}`).textContent = money(summary[name]);
    const now = Money.toMinor(summary[name], state.decimals);
    const then = Money.toMinor(before[name], state.decimals);
    $(`prev-${name}`).textContent = `Previous: ${money(before[name])} · ${change(now, then)}`;
    $(`prev-${name}`).title = title;
  }
  for (const name of COUNT_TOTALS) {
    $(`total-${name}`).textContent = String(summary[name]);
    $(`prev-${name}`).textContent =
      `Previous: ${before[name]} · ${change(summary[name], before[name])}`;
    $(`prev-${name}`).title = title;
  }
  $("total-players").textContent = String(summary.players);
}

const COLORS = {
  deposits: "#0f6e6e", withdrawals: "#c2410c", bets: "#2f6fde", wins: "#9333ea", ggr: "#15803d",
};

function dataset(rows, name, label, type) {
  const exact = rows.map((row) => row[name]);
  return {
    // Chart.js draws Numbers; what a person reads (tooltips) is the exact text, `exact`.
    type, label, exact, data: exact.map((text) => Number(text)),
    backgroundColor: COLORS[name], borderColor: COLORS[name], borderWidth: 2, pointRadius: 2,
  };
}

const axisNumber = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function drawChart(id, rows, sets) {
  if (state.charts[id]) state.charts[id].destroy();
  state.charts[id] = new window.Chart($(id), {
    data: { labels: rows.map((row) => row.date), datasets: sets },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { callback(value) { return dayOf(this.getLabelForValue(value)); } } },
        y: {
          beginAtZero: true,
          title: { display: true, text: state.currency },
          ticks: { callback: (value) => axisNumber.format(value) },
        },
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? dayOf(items[0].label) : ""),
            label: (item) => `${item.dataset.label}: ${money(item.dataset.exact[item.dataIndex])}`,
          },
        },
      },
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

function cell(text, label, numeric) {
  const td = document.createElement("td");
  td.textContent = text;
  td.dataset.label = label;
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
    cell(row.username, "Player"), cell(money(row.bets), "Bets", true),
    cell(money(row.wins), "Wins", true), cell(money(row.ggr), "GGR", true),
    cell(money(row.deposits), "Deposits", true),
  ]);
}

function showAgents(rows) {
  fillTable("sub-agents", rows, (row) => [
    cell(row.username, "Agent"), cell(money(row.deposits), "Deposits", true),
    cell(String(row.ftdCount), "First deposits", true), cell(money(row.ggr), "GGR", true),
    cell(`${money(row.commission)} (${row.commissionPercent}%)`, "Commission", true),
  ]);
}

function showProducts(rows) {
  fillTable("products", rows, (row) => [
    cell(row.product, "Product"), cell(money(row.bets), "Bets", true),
    cell(money(row.wins), "Wins", true), cell(money(row.ggr), "GGR", true),
  ]);
}

function showSettlement(rows) {
  fillTable("settlement", rows, (row) => [
    cell(row.username, "Agent"), cell(String(row.transactionCount), "Transfers", true),
    cell(money(row.rebateDue), "Rebates due", true), cell(money(row.rebateOwed), "Rebates owed", true),
    cell(money(row.net), "Net", true),
  ]);
}

// ---- CSV: each table's whole report for the period, as the API answers it -----------------

const CSV = {
  players: {
    path: "/reports/players", list: "players", body: { sortBy: "ggr" }, paged: true,
    text: ["playerId", "username", "active"],
    amounts: ["deposits", "withdrawals", "bets", "wins", "ggr", "commission"],
  },
  agents: {
    path: "/reports/agents", list: "agents", body: {}, paged: true,
    text: ["affiliateId", "username", "commissionPercent", "ftdCount"],
    amounts: ["deposits", "withdrawals", "bets", "wins", "ggr", "commission"],
  },
  products: {
    path: "/reports/products", list: "products", body: {}, paged: false,
    text: ["product"], amounts: ["bets", "wins", "ggr", "commission"],
  },
  settlement: {
    path: "/reports/settlement", list: "settlement", body: {}, paged: true,
    text: ["affiliateId", "username", "transactionCount"],
    amounts: ["rebateDue", "rebateOwed", "surchargeDue", "surchargeOwed", "net",
      "rebateDueBalance", "rebateOwedBalance"],
  },
};

function csvCell(value, isText) {
  let text = value === null || value === undefined ? "" : String(value);
  // A spreadsheet must not take a name for a formula.
  if (isText && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function exportCsv(name, button) {
  const spec = CSV[name];
  if (!state.range) return;
  const range = state.range;
  const label = button.textContent;
  button.disabled = true;
  button.textContent = "Preparing…";
  try {
    const rows = [];
    for (let start = 0; ; start += CSV_PAGE) {
      const body = { ...spec.body, dateFrom: apiDay(range.from), dateTo: apiDay(range.to) };
      if (spec.paged) Object.assign(body, { start, limit: CSV_PAGE });
      const data = await api(spec.path, body);
      rows.push(...data[spec.list]);
      if (!spec.paged || rows.length >= data.total || data[spec.list].length === 0) break;
    }
    const head = [...spec.text, ...spec.amounts, "currency"];
    const lines = [head.join(",")];
    for (const row of rows) {
      lines.push([
        ...spec.text.map((field) => csvCell(row[field], true)),
        ...spec.amounts.map((field) => csvCell(Money.plain(row[field], state.decimals), false)),
        csvCell(state.currency, true),
      ].join(","));
    }
    const blob = new Blob([`${lines.join("\r\n")}\r\n`], { type: "text/csv;charset=utf-8" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${name}_${range.from}_${range.to}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    setStatus($("range-form").querySelector(".form-status"),
      `The CSV could not be made: ${error.message}`, true);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

// ---- messages -----------------------------------------------------------------------------

async function loadInbox() {
  try {
    const [unread, chats, notes] = await Promise.all([
      api("/message/unread"),
      api("/message/chats", { limit: 20 }),
      api("/notifications", { limit: 20 }),
    ]);
    showUnread(unread);
    showChats(chats.chats);
    state.notifications = notes.notifications;
    showNotifications();
  } catch (error) {
    setStatus($("notifications").querySelector(".form-status"),
      `The messages could not be loaded: ${error.message}`, true);
  }
}

function showUnread(unread) {
  $("unread-total").textContent = unread.unreadMessages ? String(unread.unreadMessages) : "";
  const notes = unread.unreadNotifications ? String(unread.unreadNotifications) : "";
  $("notifications-unread").textContent = notes;
  $("header-notifications").textContent = notes;
}

function showView(name) {
  $("chat-list-view").hidden = name !== "list";
  $("chat-view").hidden = name !== "chat";
  $("recipient-view").hidden = name !== "recipients";
}

function showChats(chats) {
  const list = $("unread-chats");
  list.replaceChildren(...chats.map((chat) => {
    const item = document.createElement("li");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "chat-open";
    open.setAttribute("aria-label", `Open the chat with ${chat.username}`);
    const who = document.createElement("div");
    who.className = "who";
    who.textContent = chat.unread ? `${chat.username} (${chat.unread})` : chat.username;
    const meta = document.createElement("span");
    meta.className = "muted small";
    meta.textContent = ` ${chat.relation || ""} · ${Money.dateTime(chat.lastMessageAt, state.zone)}`;
    who.append(meta);
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = chat.lastMessage.message;
    open.append(who, text);
    open.addEventListener("click", () => openChat(chat.affiliateId, chat.username));
    if (chat.unread) item.classList.add("unread");
    item.append(open);
    return item;
  }));
  $("chat-list-view").querySelector(".empty").hidden = chats.length !== 0;
}

async function openChat(affiliateId, username) {
  state.chat = { affiliateId, username };
  showView("chat");
  $("chat-title").textContent = `Chat with ${username}`;
  $("chat-messages").replaceChildren();
  setStatus($("reply-form").querySelector(".form-status"), "Loading…");
  try {
    const chat = await api("/message/chat", { affiliateId, limit: 50 });
    $("chat-title").textContent = `Chat with ${chat.username} (${chat.relation})`;
    showThread(chat.messages);
    setStatus($("reply-form").querySelector(".form-status"), "");
    $("reply-text").focus();
    // Opening read its messages: the counts change.
    const [unread, chats] = await Promise.all([api("/message/unread"),
      api("/message/chats", { limit: 20 })]);
    showUnread(unread);
    showChats(chats.chats);
  } catch (error) {
    setStatus($("reply-form").querySelector(".form-status"), error.message, true);
  }
}

function showThread(newestFirst) {
  const list = $("chat-messages");
  list.replaceChildren(...[...newestFirst].reverse().map((message) => {
    const mine = message.toAffiliateId === state.chat.affiliateId;
    const item = document.createElement("li");
    item.className = mine ? "mine" : "theirs";
    const meta = document.createElement("div");
    meta.className = "muted small";
    let said = `${mine ? "You" : state.chat.username} · ${Money.dateTime(message.createdAt, state.zone)}`;
    if (mine) said += message.read ? " · read" : " · not read yet";
    meta.textContent = said;
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = message.message;
    item.append(meta, text);
    return item;
  }));
  list.scrollTop = list.scrollHeight;
}

async function sendReply(event) {
  event.preventDefault();
  const form = $("reply-form");
  const status = form.querySelector(".form-status");
  const text = $("reply-text").value;
  if (!text.trim()) {
    setStatus(status, "Write something first.", true);
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  setStatus(status, "Sending…");
  try {
    await api("/message/send", { toAffiliateId: state.chat.affiliateId, message: text });
    $("reply-text").value = "";
    updateCount();
    const chat = await api("/message/chat", { affiliateId: state.chat.affiliateId, limit: 50 });
    showThread(chat.messages);
    setStatus(status, "Sent.");
  } catch (error) {
    setStatus(status, `Not sent: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

function updateCount() {
  const length = [...$("reply-text").value].length;
  $("reply-count").textContent = length ? `${length} / 3000` : "";
}

async function pickRecipient() {
  showView("recipients");
  const select = $("recipient");
  select.replaceChildren();
  try {
    const found = await api("/message/recipients", { limit: 100 });
    select.replaceChildren(...found.recipients.map((who) => {
      const option = document.createElement("option");
      option.value = who.affiliateId;
      option.textContent = `${who.username} (${who.relation})`;
      option.dataset.username = who.username;
      return option;
    }));
    select.focus();
  } catch (error) {
    setStatus($("notifications").querySelector(".form-status"), error.message, true);
  }
}

// ---- notifications ------------------------------------------------------------------------

function amountOf(variables) {
  return Money.format(variables.amount, variables.currency || state.currency, state.decimals);
}

// A notification in words (README "Messaging and notifications" lists what each carries).
function sentence(note) {
  const v = note.variables || {};
  const by = v.byAgentUsername || v.setBy || "Someone";
  const moved = v.type === "withdraw" ? "withdrew" : "deposited";
  const toFrom = v.type === "withdraw" ? "from" : "to";
  switch (note.titleKey) {
    case "transfer.alert":
      return `${by} ${moved} ${amountOf(v)} ${toFrom} your player ${v.playerUsername}.`;
    case "bypass.first":
      return `${by} ${moved} ${amountOf(v)} ${toFrom} your player ${v.playerUsername}: the ` +
        `first bypass of your players in ${v.windowHours} h.`;
    case "bypass.blocked":
      return `${by}'s ${v.type} of ${amountOf(v)} for your player ${v.playerUsername} was ` +
        `blocked (bypass ${v.bypassCount}, blocked after ${v.blockAfter} in ${v.windowHours} h).`;
    case "balance.credited":
    case "balance.debited": {
      const what = v.moneyType === "CREDIT" ? "credit line" : "balance";
      const verb = note.titleKey === "balance.credited" ? "added" : "took back";
      const after = v.moneyType === "CREDIT"
        ? `credit line now ${Money.format(v.creditLineAfter, v.currency, state.decimals)}`
        : `balance now ${Money.format(v.balanceAfter, v.currency, state.decimals)}`;
      return `${by} ${verb} ${amountOf(v)} ${note.titleKey === "balance.credited" ? "to" : "from"}` +
        ` your ${what}; ${after}.`;
    }
    case "rebate.changed":
      return `${by} set your rebate to ${v.rebatePercent}%` +
        `${v.previousPercent !== undefined ? ` (it was ${v.previousPercent}%)` : ""}.`;
    case "commission.changed":
      return `Your commission is now ${v.newPercent}% (it was ${v.oldPercent}%), set by ${by}.`;
    default:
      return note.titleKey;
  }
}

function showNotifications() {
  const list = $("notifications-list");
  list.replaceChildren(...state.notifications.map((note) => {
    const item = document.createElement("li");
    if (!note.read) item.classList.add("unread");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "note-open";
    open.setAttribute("aria-expanded", "false");
    const head = document.createElement("div");
    head.className = "muted small";
    head.textContent = `${Money.dateTime(note.createdAt, state.zone)}${note.read ? "" : " · new"}`;
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = sentence(note);
    open.append(head, text);
    const details = document.createElement("div");
    details.className = "note-details";
    details.hidden = true;
    const facts = document.createElement("dl");
    for (const [name, value] of Object.entries(note.variables || {})) {
      const row = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
      row.append(dt, dd);
      facts.append(row);
    }
    details.append(facts);
    const v = note.variables || {};
    if (v.byAgentId && v.byAgentUsername) {
      const reply = document.createElement("button");
      reply.type = "button";
      reply.className = "btn btn-quiet";
      reply.textContent = `Answer ${v.byAgentUsername}`;
      reply.addEventListener("click", () => {
        openChat(String(v.byAgentId), v.byAgentUsername);
        $("messages").scrollIntoView({ block: "start" });
      });
      details.append(reply);
    }
    open.addEventListener("click", () => {
      details.hidden = !details.hidden;
      open.setAttribute("aria-expanded", String(!details.hidden));
    });
    item.append(open, details);
    return item;
  }));
  $("notifications").querySelector(".empty").hidden = state.notifications.length !== 0;
  $("mark-read").hidden = !state.notifications.some((note) => !note.read);
}

// Marks the notifications shown read (the API marks a page: these, newest first).
async function markRead() {
  const button = $("mark-read");
  const status = $("notifications").querySelector(".form-status");
  button.disabled = true;
  try {
    const page = await api("/notifications", { limit: Math.max(state.notifications.length, 1),
      markRead: true });
    state.notifications = page.notifications.map((note) => ({ ...note, read: true }));
    showNotifications();
    showUnread(await api("/message/unread"));
    setStatus(status, "");
  } catch (error) {
    setStatus(status, error.message, true);
  } finally {
    button.disabled = false;
  }
}

// ---- wiring -------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", logIn);
  $("range-form").addEventListener("submit", refresh);
  for (const button of document.querySelectorAll("[data-period]")) {
    button.addEventListener("click", () => {
      const range = period(button.dataset.period);
      $("date-from").value = range.from;
      $("date-to").value = range.to;
      refresh();
    });
  }
  for (const button of document.querySelectorAll("button.csv")) {
    button.addEventListener("click", () => exportCsv(button.dataset.csv, button));
  }
  $("logout").addEventListener("click", () => logOutEverywhere());
  $("reply-form").addEventListener("submit", sendReply);
  $("reply-text").addEventListener("input", updateCount);
  $("new-message").addEventListener("click", pickRecipient);
  $("recipient-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const option = $("recipient").selectedOptions[0];
    if (option) openChat(option.value, option.dataset.username);
  });
  for (const back of document.querySelectorAll("#messages .back")) {
    back.addEventListener("click", () => {
      state.chat = null;
      showView("list");
    });
  }
  $("mark-read").addEventListener("click", markRead);
});
