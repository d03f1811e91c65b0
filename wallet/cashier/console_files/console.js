// The cashier console: a till over the Cashier API at /api (same origin, so no CORS).
//
// One message area shows the last action as a receipt line ("Deposited USD 100.00 to mario_h01,
// balance USD 150.00"), or why it did not happen in the API's own words, or, when no answer
// came, that it may have happened and that sending it again is safe. Amounts go out as the
// decimal text typed (never through a float) and come back as the answer's own decimal text
// (money.js); deposits, withdrawals and reverses carry an Idempotency-Key. A reverse, and a
// deposit or withdrawal above the shop's amount, are asked first.
"use strict";

(() => {
  const API = "/api";
  const { Money } = window;
  // The shape of an amount; its size and decimals are the server's to judge (it says why).
  const AMOUNT = /^\d+(\.\d+)?$/;
  const AMOUNT_LENGTH_MAX = 40;
  const FIRST_NAME = /^[A-Za-z0-9_]{6,64}$/;
  const SINCE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;
  const STORE = "wallet-cashier-console";
  const HISTORY_ROWS = 10;
  const FIGURES = ["balance", "balance_Win", "withdrawal", "wager_bonus", "wager_bonus_amount",
    "bounce_back"];
  // The answers' amounts, kept as their exact decimal text.
  const MONEY_KEYS = new Set([...FIGURES, "shop_balance", "sum", "bonus", "amount",
    "confirm_above", "cash_in", "cash_out", "net"]);
  const WHAT = {
    deposit: "Deposit", withdrawal: "Withdrawal", reverse: "Reverse", bet: "Bet", win: "Win",
    bet_win: "Bet and win", rollback: "Rollback", transfer: "Transfer", other: "Other",
  };

  const state = {
    key: "", token: "", mode: "default", currency: "", decimals: 2, zone: "UTC",
    loggedInAt: "", confirmAbove: null, quick: [], cashier: "", shop: "",
    page: 1, lastPage: 1, perPage: 50, search: "",
    players: [], selected: null, history: [], since: "", receipt: null,
  };

  const $ = (id) => document.getElementById(id);
  const money = (value) => Money.format(value, state.currency, state.decimals);
  const signed = (value) => {
    const text = money(value);
    return /^-|^—/.test(text) || /^0*(\.0*)?$/.test(String(value)) ? text : `+${text}`;
  };
  const when = (text) => Money.dateTime(text, state.zone);

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status; // 0: no answer at all
    }
  }

  // ---- the API --------------------------------------------------------------------------

  async function call(method, path, { query = {}, body = null, idempotencyKey = "",
    auth = true } = {}) {
    const params = new URLSearchParams({ key: state.key });
    for (const [name, value] of Object.entries(query)) {
      if (value !== "" && value !== null && value !== undefined) params.set(name, value);
    }
    const headers = { Accept: "application/json" };
    if (body !== null) headers["Content-Type"] = "application/json";
    if (auth) headers.Authorization = `Bearer ${state.token}`;
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let response;
    try {
      response = await fetch(`${API}${path}?${params}`, {
        method, headers, body, cache: "no-store", credentials: "omit",
      });
    } catch {
      throw new ApiError("No answer from the server.", 0);
    }
    let text = "";
    try {
      text = await response.text();
    } catch {
      throw new ApiError("The server's answer was cut off.", 0);
    }
    let data = null;
    try {
      data = text ? Money.parseJson(text, MONEY_KEYS) : null;
    } catch {
      data = null;
    }
    if (response.ok && data && data.success === true) return data;
    let message = data && typeof data.message === "string" && data.message
      ? data.message
      : `The server answered ${response.status} ${response.statusText}`.trim() + ".";
    if (response.status === 429 && data && data.retry_after !== undefined) {
      message += ` Retry in ${data.retry_after} s.`;
    }
    throw new ApiError(message, response.status);
  }

  // A JSON object whose amounts are the user's decimal text, verbatim: {"sum":10.25,...}.
  function jsonBody(amounts, fields = {}) {
    const parts = [];
    for (const [name, text] of Object.entries(amounts)) {
      if (!AMOUNT.test(text) || text.length > AMOUNT_LENGTH_MAX) {
        throw new Error(`not an amount: ${text}`);
      }
      parts.push(`${JSON.stringify(name)}:${text}`);
    }
    for (const [name, value] of Object.entries(fields)) {
      parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
    }
    return `{${parts.join(",")}}`;
  }

  function newIdempotencyKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    // Plain-HTTP pages (not a secure context) lack randomUUID; build a version-4 UUID.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // One key per intended money move. A request that got no answer keeps its key, so sending
  // the same move again is safe; any answer ends it, so the next move is a new one.
  function idempotencyKeyFor(form, signature) {
    if (!form.pending || form.pending.signature !== signature) {
      form.pending = { signature, key: newIdempotencyKey() };
    }
    return form.pending.key;
  }

  // ---- the one message area -----------------------------------------------------------------

  // kind: ok (it happened), error (it did not), unknown (no answer: it may have), busy.
  function tell(text, kind, receipt = null) {
    const message = $("message");
    message.textContent = text;
    message.className = `message ${kind || ""}`.trim();
    $("message-bar").hidden = !text;
    $("message-bar").className = `message-bar ${kind || ""}`.trim();
    state.receipt = receipt;
    $("print-receipt").hidden = !receipt;
    renderReceipt();
  }

  // A field's own complaint (the last action's line above stays as it was).
  function fieldError(input, text, neutral = false) {
    const slot = input.closest(".field")?.querySelector(".field-error");
    if (text) input.setAttribute("aria-invalid", neutral ? "false" : "true");
    else input.removeAttribute("aria-invalid");
    if (slot) {
      slot.textContent = text;
      slot.classList.toggle("neutral", neutral);
    }
    if (text) input.focus();
  }

  function clearFieldErrors(form) {
    for (const input of form.querySelectorAll("input")) fieldError(input, "");
  }

  // The amount typed, as canonical decimal text ("007.50" -> "7.50"), or null (said why).
  function amountOf(input, { optional = false } = {}) {
    const text = input.value.trim().replace(/^0+(?=\d)/, "");
    if (text === "" && optional) {
      fieldError(input, "");
      return "";
    }
    if (text === "") {
      fieldError(input, "Type an amount first.", true);
      return null;
    }
    if (!AMOUNT.test(text) || text.length > AMOUNT_LENGTH_MAX) {
      fieldError(input, "Enter the amount as digits, with a dot before any decimals (e.g. 10.50).");
      return null;
    }
    fieldError(input, "");
    return text;
  }

  // ---- display --------------------------------------------------------------------------

  function applyMode() {
    document.body.dataset.shopMode = state.mode;
  }

  function renderMe(data) {
    const cashier = data.cashier || {};
    state.mode = data.logic_of_balance === "river" ? "river" : "default";
    state.currency = data.currency || "";
    state.decimals = Number.isInteger(data.decimals) ? data.decimals : 2;
    state.zone = data.time_zone || "UTC";
    state.loggedInAt = data.logged_in_at || "";
    state.confirmAbove = data.till ? Money.toMinor(data.till.confirm_above, state.decimals) : null;
    state.quick = data.till && Array.isArray(data.till.quick_amounts) ? data.till.quick_amounts : [];
    state.cashier = cashier.username ?? "";
    state.shop = cashier.shop ?? "";
    $("me-username").textContent = state.cashier;
    $("me-role").textContent = cashier.role === "sub_cashier" ? "sub-cashier" : (cashier.role ?? "");
    $("me-shop").textContent = state.shop;
    $("me-shop-balance").textContent = money(cashier.shop_balance);
    $("me-mode").textContent = state.mode === "river" ? "River" : "Default";
    for (const span of document.querySelectorAll(".zone-name")) {
      span.textContent = `(${state.zone})`;
    }
    for (const span of document.querySelectorAll(".zone-note")) {
      span.textContent = `times in ${state.zone}`;
    }
    for (const span of document.querySelectorAll(".currency-name")) {
      span.textContent = state.currency ? `(${state.currency})` : "";
    }
    renderQuick();
    applyMode();
  }

  function renderQuick() {
    const group = document.querySelector("#deposit-form .quick");
    group.replaceChildren(...state.quick.map((amount) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-quick";
      button.textContent = money(amount);
      button.addEventListener("click", () => {
        const input = $("deposit-sum");
        input.value = Money.plain(amount, state.decimals);
        fieldError(input, "");
        input.focus();
      });
      return button;
    }));
  }

  function cell(row, text, className, label) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    if (label) td.dataset.label = label;
    row.append(td);
    return td;
  }

  function renderPlayers() {
    const body = $("players-body");
    body.replaceChildren();
    for (const player of state.players) {
      const row = document.createElement("tr");
      row.dataset.id = String(player.id);
      if (state.selected && state.selected.id === player.id) row.setAttribute("aria-current", "true");
      cell(row, String(player.id), "muted", "ID");
      const who = document.createElement("td");
      who.dataset.label = "Username";
      const pick = document.createElement("button");
      pick.type = "button";
      pick.className = "link";
      pick.textContent = player.username;
      pick.setAttribute("aria-label", `Open player ${player.username}`);
      pick.addEventListener("click", () => select(player));
      who.append(pick);
      if (player.river_login) {
        const login = document.createElement("span");
        login.className = "sub muted";
        login.textContent = player.river_login;
        who.append(login);
      }
      row.append(who);
      cell(row, player.first_name ?? "", "", "First name");
      const status = cell(row, "", "", "Status");
      const badge = document.createElement("span");
      badge.className = `badge ${String(player.status).toLowerCase() === "active" ? "on" : "off"}`;
      badge.textContent = player.status ?? "";
      status.append(badge);
      cell(row, money(player.balance), "num", "Balance");
      cell(row, money(player.balance_Win), "num", "Win").dataset.mode = "river";
      cell(row, money(player.bounce_back), "num", "Bounce back").dataset.mode = "river";
      cell(row, money(player.wager_bonus), "num", "Wager bonus").dataset.mode = "default";
      cell(row, money(player.wager_bonus_amount), "num", "Wager to go").dataset.mode = "default";
      cell(row, player.created_at ? when(player.created_at) : "", "muted nowrap", "Created");
      row.addEventListener("click", (event) => {
        if (event.target === row || event.target.tagName === "TD") select(player);
      });
      body.append(row);
    }
    if (state.players.length === 0) {
      const row = document.createElement("tr");
      const td = cell(row, state.search ? "No player matches." : "No players yet.", "empty");
      td.colSpan = 10;
      body.append(row);
    }
  }

  function renderPager(meta) {
    state.page = meta.current_page || 1;
    state.lastPage = Math.max(meta.last_page || 1, 1);
    const total = meta.total ?? state.players.length;
    $("page-info").textContent =
      `Page ${state.page} of ${state.lastPage} · ${total} player${total === 1 ? "" : "s"}`;
    $("page-prev").disabled = state.page <= 1;
    $("page-next").disabled = state.page >= state.lastPage;
  }

  function renderPlayer(changed = []) {
    const player = state.selected;
    $("player-card").hidden = !player;
    $("history").hidden = !player;
    $("no-player").hidden = Boolean(player);
    if (!player) return;
    $("player-name").textContent = player.username;
    for (const dd of document.querySelectorAll("#player-figures [data-figure]")) {
      const name = dd.dataset.figure;
      dd.textContent = money(player[name]);
      const box = dd.parentElement;
      box.classList.remove("changed");
      if (changed.includes(name)) {
        void box.offsetWidth; // restart the highlight
        box.classList.add("changed");
      }
    }
    const extra = [`ID ${player.id}`];
    if (player.river_login) extra.push(`River login ${player.river_login}`);
    if (player.first_name) extra.push(`first name ${player.first_name}`);
    if (player.status) extra.push(player.status);
    $("player-extra").textContent = extra.join(" · ");
  }

  // The player's latest transactions, newest first: what and how much on the first line,
  // when, by whom and the balance after on the second.
  function renderHistory() {
    const list = $("history-list");
    list.replaceChildren();
    for (const row of state.history) {
      const item = document.createElement("li");
      item.dataset.type = row.type;
      const head = document.createElement("div");
      head.className = "history-head";
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = (WHAT[row.type] || row.type) + (row.game ? ` · ${row.game}` : "") +
        (row.reversed ? " (reversed)" : "");
      const amount = document.createElement("span");
      amount.className = "num amount";
      amount.textContent = signed(row.amount) +
        (Money.toMinor(row.bonus, state.decimals) ? ` (bonus ${signed(row.bonus)})` : "");
      head.append(what, amount);
      const detail = document.createElement("div");
      detail.className = "history-detail muted";
      let after = `balance ${money(row.balance)}`;
      if (state.mode === "river") after += `, win ${money(row.balance_Win)}`;
      detail.textContent = [when(row.created_at), row.by, after].filter(Boolean).join(" · ");
      item.append(head, detail);
      list.append(item);
    }
    if (state.history.length === 0) {
      const item = document.createElement("li");
      item.className = "empty muted";
      item.textContent = "No transactions yet.";
      list.append(item);
    }
  }

  function renderShift(data) {
    const tally = (t, one, many) => `${t.count} ${t.count === 1 ? one : many} ${money(t.sum)}`;
    const since = `Since ${when(data.since)}`;
    const origin = state.since ? "" : " (your login)";
    $("shift-range").textContent =
      `${since}${origin} to ${when(data.until)}, ${data.time_zone}. Cashier ${data.cashier}.`;
    $("shift-cash-in").textContent = money(data.cash_in);
    $("shift-in-detail").textContent = `${tally(data.deposits, "deposit", "deposits")}, less ` +
      `${tally(data.reverses, "reverse", "reverses")}`;
    $("shift-cash-out").textContent = money(data.cash_out);
    $("shift-out-detail").textContent = tally(data.withdrawals, "withdrawal", "withdrawals");
    $("shift-net").textContent = money(data.net);
    $("shift-count").textContent = String(data.count);
    $("me-shop-balance").textContent = money(data.shop_balance);
  }

  // The receipt the printer gets: the last money move.
  function renderReceipt() {
    const lines = $("receipt-lines");
    lines.replaceChildren();
    const receipt = state.receipt;
    if (!receipt) return;
    const rows = [
      ["Shop", state.shop], ["Cashier", state.cashier],
      ["Time", `${receipt.time} (${state.zone})`], ["Player", receipt.player],
      [receipt.what, receipt.amount], ...receipt.after,
    ];
    for (const [term, detail] of rows) {
      const box = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = detail;
      box.append(dt, dd);
      lines.append(box);
    }
  }

  // ---- loading --------------------------------------------------------------------------

  function playerPath(player, tail = "") {
    return `/cashier/players/${encodeURIComponent(player.username)}${tail}`;
  }

  async function loadMe() {
    const answer = await call("GET", "/cashier/me");
    renderMe(answer.data || {});
  }

  async function loadPlayers() {
    const status = $("players-status");
    const busy = [...$("search-form").querySelectorAll("button, select"), $("page-prev"),
      $("page-next")];
    for (const control of busy) control.disabled = true;
    $("players-table").setAttribute("aria-busy", "true");
    status.textContent = "Loading players…";
    status.className = "form-status busy";
    try {
      const answer = await call("GET", "/cashier/players", {
        query: { search: state.search, per_page: state.perPage, page: state.page },
      });
      state.players = Array.isArray(answer.data) ? answer.data : [];
      renderPlayers();
      status.textContent = "";
      status.className = "form-status";
      for (const control of busy) control.disabled = false;
      renderPager(answer.meta || {});
    } catch (error) {
      status.textContent = `The players could not be loaded: ${error.message}`;
      status.className = "form-status error";
      for (const control of busy) control.disabled = false;
    } finally {
      $("players-table").removeAttribute("aria-busy");
    }
  }

  async function loadHistory() {
    const player = state.selected;
    if (!player) return;
    const status = $("history-status");
    $("history-list").setAttribute("aria-busy", "true");
    try {
      const answer = await call("GET", playerPath(player, "/transactions"),
        { query: { limit: HISTORY_ROWS } });
      if (state.selected !== player) return; // another player was chosen meanwhile
      state.history = Array.isArray(answer.data) ? answer.data : [];
      renderHistory();
      status.textContent = "";
      status.className = "form-status";
    } catch (error) {
      status.textContent = `The transactions could not be loaded: ${error.message}`;
      status.className = "form-status error";
    } finally {
      $("history-list").removeAttribute("aria-busy");
    }
  }

  async function loadShift() {
    const status = $("shift-status");
    $("shift").setAttribute("aria-busy", "true");
    try {
      const answer = await call("GET", "/cashier/shift", { query: { since: state.since } });
      renderShift(answer.data || {});
      status.textContent = "";
      status.className = "form-status";
    } catch (error) {
      status.textContent = `The shift could not be loaded: ${error.message}`;
      status.className = "form-status error";
    } finally {
      $("shift").removeAttribute("aria-busy");
    }
  }

  function select(player, { focus = true } = {}) {
    state.selected = { ...player };
    delete state.selected.password; // a River player's generated password is shown once
    state.history = [];
    for (const form of document.querySelectorAll("#player-card form")) {
      form.pending = null;
      form.reset();
      clearFieldErrors(form);
    }
    syncWithdrawAll();
    renderPlayers();
    renderPlayer();
    renderHistory();
    loadHistory();
    if (focus) $("deposit-sum").focus();
  }

  // Merge a move's answer into the selected player and its row; name what changed.
  function updatePlayer(data) {
    const player = state.selected;
    if (!player || !data || (data.id !== player.id && data.username !== player.username)) {
      return [];
    }
    const changed = FIGURES.filter((name) => name in data && data[name] !== player[name]);
    const figures = Object.fromEntries(Object.entries(data).filter(([name]) =>
      !["sum", "bonus"].includes(name)));
    Object.assign(player, figures);
    const row = state.players.find((p) => p.username === player.username);
    if (row) Object.assign(row, figures);
    renderPlayers();
    renderPlayer(changed);
    return changed;
  }

  function balancesText(data) {
    const parts = [`balance ${money(data.balance)}`];
    if (state.mode === "river") {
      parts.push(`win ${money(data.balance_Win)}`);
      if (Money.toMinor(data.bounce_back, state.decimals)) {
        parts.push(`bounce back ${money(data.bounce_back)}`);
      }
    } else if (Money.toMinor(data.wager_bonus, state.decimals)) {
      parts.push(`wager bonus ${money(data.wager_bonus)}`);
    }
    return parts.join(", ");
  }

  function balancesAfter(data) {
    const after = [["Balance", money(data.balance)]];
    if (state.mode === "river") after.push(["Win balance", money(data.balance_Win)]);
    return after;
  }

  // ---- asking first -----------------------------------------------------------------------

  function confirmFirst(title, text, action) {
    const dialog = $("confirm");
    $("confirm-title").textContent = title;
    $("confirm-text").textContent = text;
    $("confirm-ok").textContent = action;
    dialog.returnValue = "";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.showModal();
      $("confirm-cancel").focus(); // a second Enter cancels; confirming is a choice
    });
  }

  function aboveLimit(text) {
    const minor = Money.toMinor(text, state.decimals);
    return minor !== null && state.confirmAbove !== null && minor > state.confirmAbove;
  }

  // ---- actions --------------------------------------------------------------------------

  // Runs one form's request: one at a time (its buttons disabled meanwhile); the outcome goes
  // to the message area. `work` answers [text, receipt] on success. say.failed starts the line
  // of a refusal; say.unknown is what to do when no answer came.
  async function submitting(form, say, work) {
    if (form.busy) return;
    form.busy = true;
    form.setAttribute("aria-busy", "true");
    const buttons = form.querySelectorAll("button");
    for (const button of buttons) button.disabled = true;
    tell(say.doing, "busy");
    try {
      const [text, receipt] = await work();
      tell(text, "ok", receipt);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        console.error(error);
        tell(`Something went wrong on this page: ${error.message}`, "error");
        return;
      }
      // No answer, or the server's own failure (a 5xx can come after a commit it could not
      // report): it may have happened, and the move's key is kept for the resend.
      if (error.status === 0 || error.status >= 500) {
        tell(`${error.message} ${say.unknown || "Nothing happened; try again."}`, "unknown");
      } else {
        form.pending = null;
        tell(`${say.failed}: ${error.message}`, "error");
      }
    } finally {
      for (const button of buttons) button.disabled = false;
      form.busy = false;
      form.removeAttribute("aria-busy");
      syncWithdrawAll();
    }
  }

  // What to say when a money move got no answer: it may have happened; its key is kept.
  function mayHaveMoved(what, button) {
    return `${what} may or may not have gone through. Press ${button} again to find out:` +
      " it goes out under the same key. Sending it again is safe: it will not be paid twice.";
  }

  // A money move: the answer's figures replace the player's; the shift, the shop's balance and
  // the player's transactions are read again.
  async function move(form, method, tail, body) {
    const player = state.selected;
    const path = playerPath(player, tail);
    const idempotencyKey = idempotencyKeyFor(form, `${method} ${path} ${body}`);
    const answer = await call(method, path, { body, idempotencyKey });
    form.pending = null;
    updatePlayer(answer.data);
    loadShift();
    loadHistory();
    return answer.data || {};
  }

  function receiptOf(what, player, amount, data) {
    return {
      what, player, amount: money(amount), time: Money.dateTime(new Date(), state.zone),
      after: balancesAfter(data),
    };
  }

  function modeFlags(form) {
    return state.mode === "river"
      ? { apply_bounceback: form.elements.apply_bounceback.checked }
      : { wager: form.elements.wager.checked };
  }

  async function onDeposit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    if (form.busy) return;
    const sum = amountOf(form.elements.sum);
    const player = state.selected;
    if (sum === null || !player) return;
    if (aboveLimit(sum) && !await confirmFirst("Deposit this much?",
      `Deposit ${money(sum)} to ${player.username}? It is above ${money(Money.fromMinor(
        state.confirmAbove, state.decimals))}, the shop's amount to check twice.`,
      `Deposit ${money(sum)}`)) {
      tell(`Not deposited: ${money(sum)} to ${player.username} was cancelled.`, "note");
      return;
    }
    await submitting(form, {
      doing: `Depositing ${money(sum)} to ${player.username}…`,
      failed: `Not deposited to ${player.username}`,
      unknown: mayHaveMoved(`The deposit of ${money(sum)} to ${player.username}`, "Deposit"),
    }, async () => {
      const data = await move(form, "PUT", "/balance/add", jsonBody({ sum }, modeFlags(form)));
      form.elements.sum.value = "";
      const text = `Deposited ${money(data.sum)} to ${player.username}, ${balancesText(data)}`;
      return [text, receiptOf("Deposit", player.username, data.sum, data)];
    });
  }

  async function onWithdraw(event) {
    event.preventDefault();
    const form = event.currentTarget;
    if (form.busy) return;
    const player = state.selected;
    const all = form.elements.all.checked;
    const sum = all ? "" : amountOf(form.elements.sum);
    if (sum === null || !player) return;
    const source = state.mode === "river" ? "balance_Win" : "balance";
    const estimate = all ? player[source] : sum;
    if (aboveLimit(estimate) && !await confirmFirst("Pay out this much?",
      all
        ? `Withdraw everything from ${player.username} (${money(estimate)} as last shown)?`
        : `Withdraw ${money(sum)} from ${player.username}?`,
      all ? "Withdraw everything" : `Withdraw ${money(sum)}`)) {
      tell(`Not withdrawn: the withdrawal from ${player.username} was cancelled.`, "note");
      return;
    }
    const doing = all ? `Withdrawing everything from ${player.username}…`
      : `Withdrawing ${money(sum)} from ${player.username}…`;
    await submitting(form, {
      doing,
      failed: `Not withdrawn from ${player.username}`,
      unknown: mayHaveMoved(`The withdrawal from ${player.username}`, "Withdraw"),
    }, async () => {
      const body = all ? jsonBody({}, { all: true }) : jsonBody({ sum });
      const data = await move(form, "PUT", "/balance/out", body);
      form.elements.sum.value = "";
      const what = all ? `Withdrew everything, ${money(data.sum)},` : `Withdrew ${money(data.sum)}`;
      const text = `${what} from ${player.username}: pay out ${money(data.sum)}. ` +
        `Now ${balancesText(data)}`;
      return [text, receiptOf("Withdrawal (paid out)", player.username, data.sum, data)];
    });
  }

  function latestDeposit() {
    return state.history.find((row) => row.type === "deposit") || null;
  }

  async function onReverse(event) {
    event.preventDefault();
    const form = event.currentTarget;
    if (form.busy) return;
    const player = state.selected;
    if (!player) return;
    const latest = latestDeposit();
    let question = `Reverse the latest deposit to ${player.username}? It takes the deposit ` +
      "and its bonus back to the shop, if the player still holds them.";
    if (latest && !latest.reversed) {
      const bonus = Money.toMinor(latest.bonus, state.decimals)
        ? ` and its bonus ${money(latest.bonus)}` : "";
      question = `Reverse the deposit of ${money(latest.amount)}${bonus} made ` +
        `${when(latest.created_at)}${latest.by ? ` by ${latest.by}` : ""} to ` +
        `${player.username}? It goes back to the shop.`;
    }
    if (!await confirmFirst("Reverse the latest deposit?", question, "Reverse it")) {
      tell(`Not reversed: the reverse for ${player.username} was cancelled.`, "note");
      return;
    }
    await submitting(form, {
      doing: `Reversing the latest deposit of ${player.username}…`,
      failed: `Not reversed for ${player.username}`,
      unknown: mayHaveMoved(`The reverse for ${player.username}`, "Reverse last deposit"),
    }, async () => {
      const data = await move(form, "POST", "/reverse", null);
      const bonus = Money.toMinor(data.bonus, state.decimals)
        ? ` and its bonus ${money(data.bonus)}` : "";
      const text = `Reversed the deposit of ${money(data.sum)}${bonus} to ` +
        `${player.username}, ${balancesText(data)}`;
      return [text, receiptOf("Deposit reversed", player.username, data.sum, data)];
    });
  }

  async function onPassword(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const player = state.selected;
    const input = form.elements.password;
    if (input.value.length < 6) {
      fieldError(input, "At least 6 characters.");
      return;
    }
    fieldError(input, "");
    await submitting(form, {
      doing: `Changing the password of ${player.username}…`,
      failed: `Password not changed for ${player.username}`,
      unknown: "The password may or may not have changed; set it again.",
    }, async () => {
      const body = JSON.stringify({ password: input.value });
      await call("POST", playerPath(player, "/password"), { body });
      form.reset();
      return [`Changed the password of ${player.username}.`, null];
    });
  }

  async function onCreate(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const balance = amountOf(form.elements.balance, { optional: true });
    if (balance === null) return;
    const note = form.elements.first_name.value.trim();
    if (note && !FIRST_NAME.test(note)) {
      fieldError(form.elements.first_name, "Not a valid first name: 6 to 64 letters, digits or _," +
        " without spaces or punctuation.");
      return;
    }
    fieldError(form.elements.first_name, "");
    await submitting(form, {
      doing: "Creating a player…",
      failed: "Player not created",
      unknown: "The player may or may not have been created" +
        (balance ? `, with its deposit of ${money(balance)}` : "") +
        ": search the list of players before creating it again.",
    }, async () => {
      const fields = {};
      if (state.mode === "default") {
        fields.username = form.elements.username.value.trim();
        fields.password = form.elements.password.value;
      }
      if (note) fields.first_name = note;
      Object.assign(fields, modeFlags(form), { platform: form.elements.platform.value });
      const body = jsonBody(balance ? { balance } : {}, fields);
      let answer;
      try {
        answer = await call("POST", "/cashier/players", { body });
      } catch (error) {
        if (error.status > 0 && /first name has already been taken/i.test(error.message)) {
          error.message += " Another player has this first name; first names are unique, so" +
            " choose another one (or leave it empty).";
        }
        throw error;
      }
      const player = answer.data || {};
      form.reset();
      select(player, { focus: false });
      loadPlayers();
      loadShift();
      let text = `Created player ${player.username}`;
      if (player.password) text += `, password ${player.password} (shown once)`;
      let receipt = null;
      if (balance) {
        text += `, deposited ${money(balance)}`;
        receipt = receiptOf("Deposit (new player)", player.username, balance, player);
      }
      return [`${text}; ${balancesText(player)}`, receipt];
    });
  }

  function syncWithdrawAll() {
    const form = $("withdraw-form");
    form.elements.sum.disabled = form.elements.all.checked;
    if (form.elements.all.checked) fieldError(form.elements.sum, "");
  }

  function onShift(event) {
    event.preventDefault();
    const input = $("shift-since");
    const text = input.value.trim();
    if (text && !SINCE.test(text)) {
      fieldError(input, "Write the time as YYYY-MM-DD HH:MM, e.g. 2026-12-07 08:00.");
      return;
    }
    fieldError(input, "");
    state.since = text;
    loadShift();
  }

  // ---- session --------------------------------------------------------------------------

  function remember() {
    sessionStorage.setItem(STORE, JSON.stringify({ key: state.key, token: state.token }));
  }

  function forget() {
    sessionStorage.removeItem(STORE);
    Object.assign(state, {
      token: "", players: [], selected: null, history: [], page: 1, search: "", since: "",
    });
  }

  function showLogin() {
    $("work-view").hidden = true;
    $("session").hidden = true;
    $("login-view").hidden = false;
    $("login-form").elements.key.value = state.key;
    $("login-form").elements.password.value = "";
  }

  async function enter() {
    await loadMe();
    $("login-view").hidden = true;
    $("work-view").hidden = false;
    $("session").hidden = false;
    renderPlayer();
    await Promise.all([loadPlayers(), loadShift()]);
    $("search-text").focus();
  }

  async function onLogin(event) {
    event.preventDefault();
    const form = event.currentTarget;
    await submitting(form, { doing: "Logging in…", failed: "Not logged in" }, async () => {
      state.key = form.elements.key.value.trim();
      const body = JSON.stringify({
        username: form.elements.username.value.trim(),
        password: form.elements.password.value,
      });
      const answer = await call("POST", "/login", { body, auth: false });
      state.token = answer.token;
      remember();
      await enter();
      form.elements.password.value = "";
      return [`Logged in as ${state.cashier} at ${state.shop}.`, null];
    });
  }

  async function onLogout() {
    const button = $("logout");
    button.disabled = true;
    let message = "Logged out.";
    let kind = "ok";
    try {
      const answer = await call("POST", "/logout");
      message = answer.message || message;
    } catch (error) {
      message = `${error.message} (the token was dropped from this page anyway)`;
      kind = "error";
    } finally {
      button.disabled = false;
    }
    forget();
    showLogin();
    tell(message, kind);
    $("login-form").elements.username.focus();
  }

  async function resume() {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
    } catch {
      saved = null;
    }
    if (!saved || !saved.token) {
      showLogin();
      return;
    }
    state.key = saved.key || "";
    state.token = saved.token;
    try {
      await enter();
    } catch (error) {
      forget();
      showLogin();
      tell(`Please log in again: ${error.message}`, "error");
    }
  }

  // ---- wiring ---------------------------------------------------------------------------

  function start() {
    $("login-form").addEventListener("submit", onLogin);
    $("logout").addEventListener("click", onLogout);
    $("print-receipt").addEventListener("click", () => window.print());
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      state.search = $("search-text").value.trim();
      state.perPage = Number($("per-page").value);
      state.page = 1;
      loadPlayers();
    });
    $("per-page").addEventListener("change", () => $("search-form").requestSubmit());
    $("page-prev").addEventListener("click", () => {
      if (state.page > 1) { state.page -= 1; loadPlayers(); }
    });
    $("page-next").addEventListener("click", () => {
      if (state.page < state.lastPage) { state.page += 1; loadPlayers(); }
    });
    $("player-refresh").addEventListener("click", async () => {
      const button = $("player-refresh");
      button.disabled = true;
      try {
        const answer = await call("GET", playerPath(state.selected));
        updatePlayer(answer.data);
        await loadHistory();
      } catch (error) {
        $("history-status").textContent = `The player could not be read: ${error.message}`;
        $("history-status").className = "form-status error";
      } finally {
        button.disabled = false;
      }
    });
    $("deposit-form").addEventListener("submit", onDeposit);
    $("withdraw-form").addEventListener("submit", onWithdraw);
    $("withdraw-form").elements.all.addEventListener("change", syncWithdrawAll);
    $("reverse-form").addEventListener("submit", onReverse);
    $("password-form").addEventListener("submit", onPassword);
    $("create-form").addEventListener("submit", onCreate);
    $("shift-form").addEventListener("submit", onShift);
    $("shift-login").addEventListener("click", () => {
      $("shift-since").value = "";
      fieldError($("shift-since"), "");
      state.since = "";
      loadShift();
    });
    $("shift-refresh").addEventListener("click", loadShift);
    applyMode();
    resume();
  }

  start();
})();
