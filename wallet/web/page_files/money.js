// What our pages share about money and time (the cashier console, the agent dashboard).
//
// Money is never a float here. The APIs write amounts as exact JSON numbers ("25.5" means
// 25.50 in a 2-decimal currency); `parseJson` keeps each amount's own text as written in the
// answer (JSON.parse's source text), `format` writes it with its currency and every decimal of
// the currency ("USD 1,025.50"), by string work alone. An amount a person types is compared
// and checked as integer minor units (BigInt), never as a Number.
//
// Times are shown in one style, "YYYY-MM-DD HH:MM", in the operator's time zone (named on the
// page), whatever the browser's own zone or locale.
"use strict";

window.Money = (() => {
  const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

  // An API answer's JSON, amounts kept as their decimal text: a number whose key is one of
  // `moneyKeys`, or any number inside an array (lists of amounts).
  function parseJson(text, moneyKeys) {
    return JSON.parse(text, function revive(key, value, context) {
      if (typeof value !== "number") return value;
      if (!moneyKeys.has(key) && !Array.isArray(this)) return value;
      return context && typeof context.source === "string" ? context.source : String(value);
    });
  }

  function grouped(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // "1025.5" (or BigInt minor units) -> "USD 1,025.50"; never rounds (a longer fraction stays).
  function format(value, currency, decimals) {
    if (value === null || value === undefined || value === "") return "—";
    const text = typeof value === "bigint" ? fromMinor(value, decimals) : String(value);
    const parts = DECIMAL.exec(text);
    if (!parts) return `${currency} ${text}`.trim();
    const [, sign, whole, fraction = ""] = parts;
    const cents = fraction.padEnd(decimals, "0");
    const zero = /^0*$/.test(whole + fraction);
    const number = `${grouped(whole.replace(/^0+(?=\d)/, ""))}${cents ? `.${cents}` : ""}`;
    return `${sign && !zero ? "-" : ""}${currency} ${number}`.trim();
  }

  // The same without the currency, for a CSV cell: "1025.5" -> "1025.50".
  function plain(value, decimals) {
    const parts = DECIMAL.exec(String(value));
    if (!parts) return String(value);
    const [, sign, whole, fraction = ""] = parts;
    const cents = fraction.padEnd(decimals, "0");
    return `${sign}${whole}${cents ? `.${cents}` : ""}`;
  }

  // Decimal text -> BigInt minor units, or null when it has more decimals than the currency.
  function toMinor(text, decimals) {
    const parts = DECIMAL.exec(String(text).trim());
    if (!parts) return null;
    const [, sign, whole, fraction = ""] = parts;
    if (fraction.length > decimals) return null;
    const minor = BigInt(whole + fraction.padEnd(decimals, "0"));
    return sign ? -minor : minor;
  }

  function fromMinor(minor, decimals) {
    const negative = minor < 0n;
    const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, "0");
    const whole = digits.slice(0, digits.length - decimals);
    const fraction = decimals ? `.${digits.slice(digits.length - decimals)}` : "";
    return `${negative ? "-" : ""}${whole}${fraction}`;
  }

  // "2026-12-07 06:00:00" (the cashier API, UTC) or "2026-12-07T06:00:00Z" (the agent API).
  function instant(text) {
    if (text instanceof Date) return text;
    let iso = String(text).trim().replace(" ", "T");
    if (!/(Z|[+-]\d\d:?\d\d)$/.test(iso)) iso += "Z";
    const moment = new Date(iso);
    return Number.isNaN(moment.getTime()) ? null : moment;
  }

  function parts(moment, zone) {
    const found = {};
    const style = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone || "UTC", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
    for (const part of style.formatToParts(moment)) found[part.type] = part.value;
    return found;
  }

  // The one style of a time: "2026-12-07 14:05", in the operator's zone.
  function dateTime(text, zone) {
    const moment = instant(text);
    if (!moment) return String(text ?? "");
    const p = parts(moment, zone);
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }

  // Today in the operator's zone: "2026-12-07".
  function today(zone) {
    const p = parts(new Date(), zone);
    return `${p.year}-${p.month}-${p.day}`;
  }

  return { parseJson, format, plain, toMinor, fromMinor, dateTime, today, instant };
})();
