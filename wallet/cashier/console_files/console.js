// The cashier console: one page over the Cashier API at /api (same origin, so no CORS).
// Every failed call shows the API's own message; amounts go out as the decimal text the user
// typed (never through a float); deposits, withdrawals and reverses carry an Idempotency-Key.
"use strict";

(() => {
  const API = "/api";
  // The shape of an amount; its size and decimals are the server's to judge (it says why).
  const AMOUNT = /^\d+(\.\d+)?$/;
  const AMOUNT_LENGTH_MAX = 40;
  const STORE = "wallet-cashier-console";
  const FIGURES = ["balance", "balance_Win", "withdrawal", "wager_bonus", "wager_bonus_amount",
    "bounce_back"];

  const state = {
    key: "", token: "", mode: "default",
    page: 1, lastPage: 1, perPage: 50, search: "",
    players: [], selected: null,
  };

  const $ = (id) => document.getElementById(id);

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
      throw new ApiError("No answer from the server. Check the connection and try again.", 0);
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (response.ok && data && data.success === true) return data;
    let message = data && typeof data.message === "string" && data.message
      ? data.message
      : `The server answered ${response.status} ${response.statusText}`.trim() + ".";
    if (response.status === 429 && data && Number.isFinite(data.retry_after)) {
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

  // The amount typed in an input as canonical decimal text ("007.50" -> "7.50"), or an error.
  function amountOf(input, { optional = false } = {}) {
    const text = input.value.trim().replace(/^0+(?=\d)/, "");
    if (text === "" && optional) return "";
    if (!AMOUNT.test(text) || text.length > AMOUNT_LENGTH_MAX) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
      throw new ApiError("Enter the amount as digits, with a dot before any decimals (e.g. 10.50).",
        -1);
    }
    input.removeAttribute("aria-invalid");
    return text;
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

  // ---- display --------------------------------------------------------------------------

  const money = new Intl.NumberFormat("en-US", {
    minimumFractionDigits: 2, maximumFractionDigits: 8, useGrouping: true,
  });

  function amountText(value) {
    if (typeof value === "number") return money.format(value);
    if (value === null || value === undefined || value === "") return "—";
    return String(value);
  }

  function say(target, message, kind) {
    target.textContent = message;
    target.classList.remove("ok", "error", "busy");
    if (kind) target.classList.add(kind);
  }

  function formStatus(form) {
    return form.querySelector(".form-status");
  }

  function applyMode() {
    document.body.dataset.shopMode = state.mode;
  }

  function renderMe(data) {
    const cashier = data.cashier || {};
    state.mode = data.logic_of_balance === "river" ? "river" : "default";
    $("me-username").textContent = cashier.username ?? "";
    $("me-role").textContent = cashier.role === "sub_cashier" ? "sub-cashier" : (cashier.role ?? "");
    $("me-shop").textContent = cashier.shop ?? "";
    $("me-shop-balance").textContent = amountText(cashier.shop_balance);
    $("me-mode").textContent = state.mode === "river" ? "River" : "Default";
    applyMode();
  }

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
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
      cell(row, String(player.id), "muted");
      const who = document.createElement("td");
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
      cell(row, player.first_name ?? "");
      const status = cell(row, "");
      const badge = document.createElement("span");
      badge.className = `badge ${String(player.status).toLowerCase() === "active" ? "on" : "off"}`;
      badge.textContent = player.status ?? "";
      status.append(badge);
      cell(row, amountText(player.balance), "num");
      cell(row, amountText(player.balance_Win), "num").dataset.mode = "river";
      cell(row, amountText(player.bounce_back), "num").dataset.mode = "river";
      cell(row, amountText(player.wager_bonus), "num").dataset.mode = "default";
      cell(row, amountText(player.wager_bonus_amount), "num").dataset.mode = "default";
      cell(row, player.created_at ?? "", "muted nowrap");
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
    $("no-player").hidden = Boolean(player);
    if (!player) return;
    $("player-name").textContent = player.username;
    for (const dd of document.querySelectorAll("#player-figures [data-figure]")) {
      const name = dd.dataset.figure;
      dd.textContent = amountText(player[name]);
      const box = dd.parentElement;
      box.classList.remove("changed");
      if (changed.includes(name)) {
        void box.offsetWidth; // restart the highlight
        box.classList.add("changed");
      }
    }
    const extra = [`ID ${player.id}`];
    if (player.river_login) extra.push(`River login ${player.river_login}`);
    if (player.first_name) extra.push(`notes ${player.first_name}`);
    if (player.status) extra.push(player.status);
    $("player-extra").textContent = extra.join(" · ");
  }

  // ---- actions --------------------------------------------------------------------------

  function playerPath(player, tail = "") {
    return `/cashier/players/${encodeURIComponent(player.username)}${tail}`;
  }

  async function loadMe() {
    const answer = await call("GET", "/cashier/me");
    renderMe(answer.data || {});
  }

  async function loadPlayers() {
    const status = $("players-status");
    say(status, "Loading…", "busy");
    try {
      const answer = await call("GET", "/cashier/players", {
        query: { search: state.search, per_page: state.perPage, page: state.page },
      });
      state.players = Array.isArray(answer.data) ? answer.data : [];
      renderPlayers();
      renderPager(answer.meta || {});
      say(status, "");
    } catch (error) {
      say(status, error.message, "error");
    }
  }

  function select(player, { focus = true } = {}) {
    state.selected = { ...player };
    delete state.selected.password; // a River player's generated password is shown once
    for (const form of document.querySelectorAll("#player-card form")) {
      say(formStatus(form), "");
      form.pending = null;
      form.reset();
      form.elements.sum?.removeAttribute("aria-invalid");
    }
    syncWithdrawAll();
    renderPlayers();
    renderPlayer();
    if (focus) $("deposit-sum").focus();
  }

  // Merge a move's answer into the selected player and its row; name what changed.
  function updatePlayer(data) {
    const player = state.selected;
    if (!player || !data || (data.id !== player.id && data.username !== player.username)) {
      return [];
    }
    const changed = FIGURES.filter((name) => name in data && data[name] !== player[name]);
    Object.assign(player, data);
    const row = state.players.find((p) => p.username === player.username);
    if (row) Object.assign(row, data);
    renderPlayers();
    renderPlayer(changed);
    return changed;
  }

  function balancesLine(data) {
    const parts = [`balance ${amountText(data.balance)}`];
    if (state.mode === "river" || Number(data.balance_Win)) {
      parts.push(`win ${amountText(data.balance_Win)}`);
    }
    if (Number(data.wager_bonus)) parts.push(`wager bonus ${amountText(data.wager_bonus)}`);
    if (Number(data.bounce_back)) parts.push(`bounce back ${amountText(data.bounce_back)}`);
    return `Now: ${parts.join(", ")}.`;
  }

  // Runs one form's request: one at a time (its buttons disabled meanwhile), outcome shown
  // in the form's own status line.
  async function submitting(form, work) {
    if (form.busy) return;
    form.busy = true;
    form.setAttribute("aria-busy", "true");
    const buttons = form.querySelectorAll("button");
    for (const button of buttons) button.disabled = true;
    const status = formStatus(form);
    say(status, "Working…", "busy");
    try {
      const message = await work();
      say(status, message, "ok");
    } catch (error) {
      if (!(error instanceof ApiError)) {
        console.error(error);
        say(status, `Something went wrong on this page: ${error.message}`, "error");
        return;
      }
      say(status, error.message, "error");
      if (error.status === 0 && form.pending) {
        status.textContent += " Sending it again is safe: it will not be paid twice.";
      }
      if (error.status > 0) form.pending = null;
    } finally {
      for (const button of buttons) button.disabled = false;
      form.busy = false;
      form.removeAttribute("aria-busy");
      syncWithdrawAll();
    }
  }

  // A money move: the answer's figures replace the player's, and the shop's balance is read.
  async function move(form, method, tail, body) {
    const player = state.selected;
    const path = playerPath(player, tail);
    const idempotencyKey = idempotencyKeyFor(form, `${method} ${path} ${body}`);
    const answer = await call(method, path, { body, idempotencyKey });
    form.pending = null;
    updatePlayer(answer.data);
    loadMe().catch((error) => say($("global-status"), error.message, "error"));
    return `${answer.message || "Done."} ${balancesLine(answer.data || player)}`;
  }

  function modeFlags(form) {
    return state.mode === "river"
      ? { apply_bounceback: form.elements.apply_bounceback.checked }
      : { wager: form.elements.wager.checked };
  }

  function onDeposit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    submitting(form, async () => {
      const sum = amountOf(form.elements.sum);
      const message = await move(form, "PUT", "/balance/add", jsonBody({ sum }, modeFlags(form)));
      form.elements.sum.value = "";
      return message;
    });
  }

  function onWithdraw(event) {
    event.preventDefault();
    const form = event.currentTarget;
    submitting(form, async () => {
      const body = form.elements.all.checked
        ? jsonBody({}, { all: true })
        : jsonBody({ sum: amountOf(form.elements.sum) });
      const message = await move(form, "PUT", "/balance/out", body);
      form.elements.sum.value = "";
      return message;
    });
  }

  function onReverse(event) {
    event.preventDefault();
    const form = event.currentTarget;
    submitting(form, () => move(form, "POST", "/reverse", null));
  }

  function onPassword(event) {
    event.preventDefault();
    const form = event.currentTarget;
    submitting(form, async () => {
      const body = JSON.stringify({ password: form.elements.password.value });
      const answer = await call("POST", playerPath(state.selected, "/password"), { body });
      form.reset();
      return answer.message || "Password changed.";
    });
  }

  function onCreate(event) {
    event.preventDefault();
    const form = event.currentTarget;
    submitting(form, async () => {
      const balance = amountOf(form.elements.balance, { optional: true });
      const fields = {};
      if (state.mode === "default") {
        fields.username = form.elements.username.value.trim();
        fields.password = form.elements.password.value;
      }
      const note = form.elements.first_name.value.trim();
      if (note) fields.first_name = note;
      Object.assign(fields, modeFlags(form), { platform: form.elements.platform.value });
      const body = jsonBody(balance ? { balance } : {}, fields);
      const answer = await call("POST", "/cashier/players", { body });
      const player = answer.data || {};
      form.reset();
      select(player, { focus: false });
      await Promise.all([loadPlayers(), loadMe()]);
      let message = `${answer.message || "Player created."} Login ${player.username}`;
      if (player.password) message += `, password ${player.password} (shown once)`;
      return `${message}. ${balancesLine(player)}`;
    });
  }

  function syncWithdrawAll() {
    const form = $("withdraw-form");
    form.elements.sum.disabled = form.elements.all.checked;
  }

  // ---- session --------------------------------------------------------------------------

  function remember() {
    sessionStorage.setItem(STORE, JSON.stringify({ key: state.key, token: state.token }));
  }

  function forget() {
    sessionStorage.removeItem(STORE);
    Object.assign(state, { token: "", players: [], selected: null, page: 1, search: "" });
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
    await loadPlayers();
    $("search-text").focus();
  }

  function onLogin(event) {
    event.preventDefault();
    const form = event.currentTarget;
    submitting(form, async () => {
      state.key = form.elements.key.value.trim();
      const body = JSON.stringify({
        username: form.elements.username.value.trim(),
        password: form.elements.password.value,
      });
      const answer = await call("POST", "/login", { body, auth: false });
      state.token = answer.token;
      remember();
      say($("global-status"), "");
      await enter();
      form.elements.password.value = "";
      return answer.message || "Logged in.";
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
    say(formStatus($("login-form")), "");
    say($("global-status"), message, kind);
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
      say($("global-status"), `Please log in again: ${error.message}`, "error");
    }
  }

  // ---- wiring ---------------------------------------------------------------------------

  function start() {
    $("login-form").addEventListener("submit", onLogin);
    $("logout").addEventListener("click", onLogout);
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
      const status = formStatus($("deposit-form"));
      try {
        const answer = await call("GET", playerPath(state.selected));
        updatePlayer(answer.data);
        say(status, "");
      } catch (error) {
        say(status, error.message, "error");
      }
    });
    $("deposit-form").addEventListener("submit", onDeposit);
    $("withdraw-form").addEventListener("submit", onWithdraw);
    $("withdraw-form").elements.all.addEventListener("change", syncWithdrawAll);
    $("reverse-form").addEventListener("submit", onReverse);
    $("password-form").addEventListener("submit", onPassword);
    $("create-form").addEventListener("submit", onCreate);
    applyMode();
    resume();
  }

  start();
})();
