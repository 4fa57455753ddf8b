// The plain-JavaScript reference for the ingest benchmark (`cargo xtask
// bench`, docs/budgets.md#the-budgets: Rust Worker vs a plain-JS Worker,
// ≥ 1.0×).
//
// What it is: the lean design a careful JS engineer would write for the
// same contract — `POST /v1/responses` of docs/wire-contract.md, with the
// product rules of docs/product-rules.md — written on its own, not a port
// of the Rust Worker's database work. Input handling is the contract's in
// full (same checks in the same order, unknown fields refused, NFC and
// code-point limits, same error codes and statuses, same reply bytes); the
// storage is as little as the contract allows:
//
//   1. one read: the site's row (four columns); 404 if there is none;
//   2. origin and page checked before anything is written;
//   3. the rate limit by the Workers rate-limiting binding, no D1
//      (`RATE_LIMIT_<n>`, the smallest limit ≥ the site's rate_per_minute,
//      keyed `${site} ${client ip}`; a failing limiter lets the answer in);
//   4. one write batch (one transaction): the response, idempotent by id;
//      rule 6 decided inside it by two indexed contact-key look-ups
//      (UNION); for a tier other than `none` the case, its `opened` event
//      and the alert's outbox row, each written only if the statement
//      before it wrote (SQLite's `changes()`), so a replay adds nothing; the
//      stored row read back last, so a retry gets the first reply's bytes;
//   5. after the commit, the new case's alert id on the ALERTS queue.
//
// Where it differs from the Rust Worker (edge/src/routes/responses.rs,
// edge/src/store/ingest.rs) on purpose, or by leaving things out:
//
// - No read before the write batch but the site: a callback's open case is
//   found, and its thank-you worded ("we have added this to the request
//   you already have open…", with the minutes left), inside the INSERT.
// - Joining never lowers severity, done the cheap way: a callback joins
//   only an open case of the same or a higher tier. A more severe answer
//   opens its own case and alerts its own tier (the Rust Worker joins it
//   and raises the case: `escalated` event and `raised` alert). Left out.
// - No thank-you mail to the customer (the Rust Worker writes one to the
//   `mails` outbox in the batch and sends it after the commit). Left out.
// - Thank-yous in English only (the Rust Worker answers `de` and `ar`
//   locales in German and Arabic). Left out.
// - Turnstile is not verified: a site with a Turnstile secret gets 500.
// - The queue consumer sends nothing (the bench site has no recipients):
//   it finishes the alerts of sites without recipients and acks; others
//   stay unfinished. No dead letters. The Rust consumer renders, sends,
//   retries and dead-letters.
// - `GET /health` without `HEAD`; no other route.
//
// No npm dependencies, no build step.

const MAX_BODY = 16 * 1024;
const GAPS_MAX_CHARS = 4000;
const SLA_DEFAULTS = { service: 240, account: 60, senior: 30, president: 15 };
const TIERS = ["none", "service", "account", "senior", "president"];
/** The rate-limiting bindings of wrangler.toml: `RATE_LIMIT_<n>`, n per minute. */
const RATE_LIMITS = [1, 3, 10, 30, 100, 1000, 10000, 100000];
const RATE_PERIOD_SECS = 60;

class HttpError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    Object.assign(this, { status, code, headers });
  }
}
const invalid = (field, reason) =>
  new HttpError(400, `invalid_${field.replaceAll(".", "_")}`, `${field}: ${reason}`);
const badJson = (why) =>
  new HttpError(400, "invalid_json", `the body is not valid JSON for this endpoint: ${why}`);

const json = (status, body, extra = {}) => jsonText(status, JSON.stringify(body), extra);

/** `http::json_text`: the exact bytes, with the edge's headers. */
function jsonText(status, text, extra = {}) {
  return new Response(text, {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...extra,
    },
  });
}

// ---- body: application/json only (415), at most 16 KiB while reading (413)

async function readJsonBody(request) {
  const media = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (media !== "application/json") {
    throw new HttpError(415, "unsupported_media_type", "send the body as application/json");
  }
  const tooLarge = () =>
    new HttpError(413, "body_too_large", `the body is larger than ${MAX_BODY} bytes`);
  const declared = Number(request.headers.get("content-length"));
  if (declared > MAX_BODY) throw tooLarge();
  const chunks = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY) throw tooLarge();
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  let value;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw badJson(e.message);
  }
  return value;
}

// ---- shape, as serde reads `RawSubmission` (deny_unknown_fields)

function shape(value, fields, where) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badJson(`${where} must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!(key in fields)) throw badJson(`unknown field \`${key}\``);
  }
  const out = {};
  for (const [key, kind] of Object.entries(fields)) {
    const v = value[key];
    const absent = v === undefined;
    if (kind === "string") {
      if (typeof v !== "string") throw badJson(`\`${key}\` must be a string`);
    } else if (kind === "string?") {
      if (!absent && v !== null && typeof v !== "string") throw badJson(`\`${key}\` must be a string or null`);
    } else if (kind === "bool") {
      if (!absent && typeof v !== "boolean") throw badJson(`\`${key}\` must be a boolean`);
    } else if (kind === "default-string") {
      if (!absent && typeof v !== "string") throw badJson(`\`${key}\` must be a string`);
    } else if (kind === "int?") {
      if (!absent && v !== null && !Number.isSafeInteger(v)) throw badJson(`\`${key}\` must be an integer or null`);
    } else if (kind === "object?") {
      if (!absent && v !== null && (typeof v !== "object" || Array.isArray(v))) throw badJson(`\`${key}\` must be an object or null`);
    }
    out[key] = absent ? { bool: false, "default-string": "" }[kind] ?? null : v;
  }
  return out;
}

// ---- field rules (domain/src/fields.rs)

const utf8Len = (s) => new TextEncoder().encode(s).length;
const charCount = (s) => { let n = 0; for (const _ of s) n++; return n; };

/** Controls (but \n and \t in free text) and bidi overrides removed, then NFC. */
function cleanText(raw, keepNewlines) {
  // Unicode Cc is U+0000–001F and U+007F–009F; free text keeps \t (09) and \n (0A).
  const drop = keepNewlines
    ? /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g
    : /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
  // After filtering, as in Rust, so a removed character cannot block composition.
  return raw.replace(drop, "").normalize("NFC");
}

function shortText(field, raw, max) {
  const text = cleanText(raw, false).trim();
  if (charCount(text) > max) throw invalid(field, `at most ${max} characters`);
  return text === "" ? null : text;
}

/** `optional` in submission.rs: absent or blank is null, else parsed trimmed. */
function optional(value, parse) {
  const v = value?.trim();
  return v === undefined || v === "" ? null : parse(v);
}

function siteKey(raw) {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(raw)) {
    throw invalid("site", "must be 1-63 characters of a-z, 0-9 and '-'");
  }
  return raw;
}

function responseId(raw) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(raw)) {
    throw invalid("id", "must be a UUID v4");
  }
  return raw.toLowerCase();
}

function gaps(raw) {
  const text = cleanText(raw, true).trim();
  const n = charCount(text);
  if (n === 0) throw invalid("gaps", "tell us where we fell short (required)");
  if (n > GAPS_MAX_CHARS) throw invalid("gaps", `at most ${GAPS_MAX_CHARS} characters, got ${n}`);
  return text;
}

function email(s) {
  const bad = () => invalid("contact.email", "is not an email address");
  if (utf8Len(s) > 254 || /[\s\p{Cc}]/u.test(s)) throw bad();
  const at = s.lastIndexOf("@");
  if (at < 0) throw bad();
  const [local, host] = [s.slice(0, at), s.slice(at + 1)];
  const hostOk = host.includes(".") && !host.startsWith(".") && !host.endsWith(".") &&
    !host.includes("..") && /^[\p{Alphabetic}\p{N}.-]*$/u.test(host);
  if (local === "" || utf8Len(local) > 64 || local.includes("@") || !hostOk) throw bad();
  return s;
}

function phone(s) {
  const digits = (s.match(/[0-9]/g) ?? []).length;
  if (/^[0-9 +\-.()]*$/.test(s) && digits >= 6 && digits <= 20 && s.length <= 32) return s;
  throw invalid("contact.phone", "is not a phone number");
}

/** An absolute http(s) URL, kept with its origin for `check_page`. */
function pageUrl(raw) {
  const bad = () => invalid("context.page", "must be an absolute http(s) URL");
  if (utf8Len(raw) > 2048) throw bad();
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw bad();
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") throw bad();
  return { href: url.href, origin: url.origin };
}

function locale(v) {
  if (v.length <= 35 && /^[A-Za-z0-9-]*$/.test(v)) return v.toLowerCase();
  throw invalid("context.locale", "is not a language tag");
}

/** `Submission::try_from(RawSubmission)`; also says whether the honeypot is filled. */
function parseSubmission(body) {
  const raw = shape(body, {
    site: "string", id: "string", gaps: "string", score: "int?", guarantee: "bool",
    contact: "object?", context: "object?", hp: "default-string", turnstile: "string?",
  }, "the body");
  const site = siteKey(raw.site);
  const id = responseId(raw.id);
  const text = gaps(raw.gaps);
  if (raw.score !== null && !(raw.score >= 1 && raw.score <= 5)) {
    throw invalid("score", "must be a whole number from 1 to 5, or null");
  }
  let contact = { name: null, email: null, phone: null, callback: false };
  if (raw.contact !== null) {
    const c = shape(raw.contact, { name: "string?", email: "string?", phone: "string?", callback: "bool" }, "contact");
    contact = {
      name: optional(c.name, (v) => shortText("contact.name", v, 200)),
      email: optional(c.email, email),
      phone: optional(c.phone, phone),
      callback: c.callback,
    };
    if (contact.callback && contact.email === null && contact.phone === null) {
      throw invalid("contact", "a callback needs an email address or a phone number");
    }
  }
  let context = { page: null, transaction: null, locale: null };
  if (raw.context !== null) {
    const c = shape(raw.context, { page: "string?", transaction: "string?", locale: "string?" }, "context");
    context = {
      page: optional(c.page, pageUrl),
      transaction: optional(c.transaction, (v) => shortText("context.transaction", v, 200)),
      locale: optional(c.locale, locale),
    };
  }
  const submission = { site, id, gaps: text, score: raw.score, guarantee: raw.guarantee, contact, context };
  return { submission, honeypot: raw.hp.trim() !== "", turnstile: raw.turnstile };
}

// ---- tier (rule 3), deadline (rule 5), thank-you (rule 2, rule 6)

function deriveTier(score, guarantee, callback) {
  if (guarantee) return "president";
  if (score === 1 || score === 2) return "senior";
  if (score === 3) return "account";
  return callback ? "service" : "none";
}

/** `SlaPolicy::from_json`: anything unreadable falls back to the defaults. */
function slaPolicy(raw) {
  try {
    const v = JSON.parse(raw);
    if (v === null || typeof v !== "object" || Array.isArray(v)) return SLA_DEFAULTS;
    const ok = Object.entries(v).every(([k, m]) => k in SLA_DEFAULTS && Number.isInteger(m) && m >= 0 && m <= 0xffffffff);
    return ok ? { ...SLA_DEFAULTS, ...v } : SLA_DEFAULTS;
  } catch {
    return SLA_DEFAULTS;
  }
}

function humanMinutes(m) {
  if (m === 1) return "1 minute";
  if (m === 60) return "1 hour";
  return m % 60 === 0 ? `${m / 60} hours` : `${m} minutes`;
}

function nextStep(tier, reachable, ackMinutes) {
  if (tier === "none") {
    return "Thank you for telling us where we fell short. Every answer is read by " +
      "our team, and the most common gaps go to the top of our list of fixes.";
  }
  const within = ackMinutes === null ? "a working day" : humanMinutes(ackMinutes);
  const [who, plural] = {
    service: ["Our service manager", false],
    account: ["Your account manager and our service manager", true],
    senior: ["Our senior management", false],
    president: ["Our president", false],
  }[tier];
  const thanks = tier === "service"
    ? "Thank you."
    : "Thank you for being honest with us — this is exactly what we need to hear.";
  return reachable
    ? `${thanks} ${who} will call you back within ${within}.`
    : `${thanks} ${who} ${plural ? "have" : "has"} been told and will act on it within ${within}.`;
}

/** The thank-you of a callback that joins the contact's open case (rule 6),
 * as SQL over the case's `tier` and the whole `minutes` left to its
 * deadline (NULL or ≤ 0: passed): "<who> will call you back within …" or
 * "… very soon". It is worded inside the write batch, where the case is
 * found; the text is `addedToOpenCase` of domain/src/acknowledgement.rs. */
const JOINED_THANKS = "Thank you — we have added this to the request you already have open with us, " +
  "so nothing gets lost.";
const joinedWhoSql = (tier) =>
  `CASE ${tier} WHEN 'account' THEN 'Your account manager' WHEN 'senior' THEN 'Our senior management' ` +
  "WHEN 'president' THEN 'Our president' ELSE 'Our service manager' END";
const humanMinutesSql = (m) =>
  `CASE WHEN ${m} = 1 THEN '1 minute' WHEN ${m} = 60 THEN '1 hour' ` +
  `WHEN ${m} % 60 = 0 THEN (${m} / 60) || ' hours' ELSE ${m} || ' minutes' END`;
const joinedNextSql = (tier, minutes) =>
  `${joinedWhoSql(tier)} || ' will call you back ' || ` +
  `CASE WHEN ${minutes} > 0 THEN 'within ' || ${humanMinutesSql(minutes)} ELSE 'very soon' END || '.'`;

/** The joined reply's JSON up to where the SQL goes on, and after it. The
 * SQL adds ASCII without quotes or backslashes, so the whole stays the
 * JSON.stringify of the full text. */
function joinedReplyParts(s, tier) {
  const whole = replyJson(s, tier, `${JOINED_THANKS} `);
  return [whole.slice(0, -2), whole.slice(-2)]; // ... `lost. ` | `"}`
}

const replyJson = (s, tier, next) =>
  JSON.stringify({ id: s.id, tier, case: tier === "none" ? null : "open", next });

// ---- origins (domain/src/origin.rs)

function ruleAllows(rule, origin) {
  const [rScheme, rRest] = rule.split("://");
  const [scheme, rest] = origin.split("://", 2);
  if (rest === undefined) return false;
  const i = rest.lastIndexOf(":");
  const [host, port] = i >= 0 && /^[0-9]*$/.test(rest.slice(i + 1)) ? [rest.slice(0, i), rest.slice(i + 1)] : [rest, ""];
  const j = rRest.lastIndexOf(":");
  const [rHost, rPort] = rRest.endsWith(":*") ? [rRest.slice(0, -2), null]
    : j >= 0 ? [rRest.slice(0, j), rRest.slice(j + 1)] : [rRest, ""];
  const defaultPort = { http: "80", https: "443" }[scheme];
  if (defaultPort === undefined) return false;
  const portOk = rPort === null ||
    (rPort === "" ? port === "" || port === defaultPort : rPort === port || (port === "" && rPort === defaultPort));
  return scheme === rScheme && host.toLowerCase() === rHost.toLowerCase() && portOk;
}
const allowed = (rules, origin) => rules.some((r) => ruleAllows(r, origin));

// ---- D1

/** `domain::digest::sha256_hex`: the parts joined by "\n". */
async function sha256Hex(...parts) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\n")));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `Contact::keys`: rule 6 finds a returning contact by these digests. */
async function contactKeys(s) {
  const { email, phone } = s.contact;
  return {
    email: email === null ? null : await sha256Hex(s.site, "email", email.toLowerCase()),
    phone: phone === null ? null : await sha256Hex(s.site, "phone", phone.replace(/[^0-9]/g, "")),
  };
}

/** SQL for a tier's rank in `TIERS`: `none` 0 … `president` 4. */
const tierRankSql = (expr) =>
  `(CASE ${expr} ${TIERS.map((t, i) => `WHEN '${t}' THEN ${i}`).join(" ")} ELSE 0 END)`;

/** The response, and (rule 6) the open case it joins: the contact's oldest
 * case of this site that is not closed and has at least this answer's
 * tier, found through the two partial indexes on `responses(site,
 * email_key)` and `(site, phone_key)`, joined by UNION (an OR would walk
 * the site's answers). `mins`: whole minutes to its deadline, rounded up,
 * at most 10^6. `DO NOTHING` on a known id: the batch then only reads. */
const INSERT_RESPONSE =
  "INSERT INTO responses (id, site, received_at, gaps, score, guarantee, tier, contact_name, " +
  "contact_email, contact_phone, callback, page, transaction_ref, locale, email_key, phone_key, " +
  "case_id, reply) " +
  "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, " +
  "COALESCE(j.id, CASE WHEN ?17 THEN ?1 END), " +
  `CASE WHEN j.id IS NULL THEN ?18 ELSE ?19 || ${joinedNextSql("j.tier", "j.mins")} || ?20 END ` +
  "FROM (SELECT 1) LEFT JOIN (" +
  "SELECT c.id, c.tier, MIN((c.ack_due_at - CAST(?3 AS INTEGER) + 59999) / 60000, 1000000) AS mins " +
  `FROM cases c WHERE ?21 AND c.state != 'closed' AND ${tierRankSql("c.tier")} >= ?22 AND c.id IN (` +
  "SELECT case_id FROM responses WHERE site = ?2 AND email_key = ?15 " +
  "UNION SELECT case_id FROM responses WHERE site = ?2 AND phone_key = ?16) " +
  "ORDER BY c.opened_at LIMIT 1) j ON true " +
  "WHERE true ON CONFLICT(id) DO NOTHING";

/** Stores the answer in one batch; returns whether this call stored it and
 * the stored row (`site`, `reply`, `case_id`), new or from an earlier call. */
async function storeAnswer(db, s, tier, keys, reply, now, ackDue, baseUrl) {
  const mayJoin = s.contact.callback;
  const [joinedHead, joinedTail] = joinedReplyParts(s, tier);
  const statements = [
    db.prepare(INSERT_RESPONSE).bind(s.id, s.site, now, s.gaps, s.score, s.guarantee ? 1 : 0, tier,
      s.contact.name, s.contact.email, s.contact.phone, s.contact.callback ? 1 : 0,
      s.context.page?.href ?? null, s.context.transaction, s.context.locale, keys.email, keys.phone,
      tier === "none" ? 0 : 1, reply, joinedHead, joinedTail, mayJoin ? 1 : 0, TIERS.indexOf(tier)),
  ];
  // Each guarded write below reads `changes()`: the rows the statement just
  // before it wrote (same connection, same transaction).
  if (mayJoin) {
    // Joined: the case hears of it once, as a message (rule 6).
    const score = s.score === null ? "no score" : `score ${s.score}`;
    statements.push(db.prepare(
      "INSERT INTO events (case_id, type, by, note, data, at) " +
      "SELECT case_id, 'message', 'customer', ?2, json_object('response', id), ?3 " +
      "FROM responses WHERE id = ?1 AND case_id != id AND changes() = 1",
    ).bind(s.id, `the customer asked again for a callback (${score}, tier ${tier}); see response ${s.id}`, now));
  }
  if (tier !== "none") {
    // Its own case, only if the row just stored (or stored before for this
    // site) owns one; a replay hits the case's key and writes nothing, so
    // neither does the event nor the alert after it.
    statements.push(
      db.prepare(
        "INSERT INTO cases (id, site, tier, state, level, opened_at, ack_due_at, updated_at) " +
        "SELECT id, site, ?3, 'open', ?3, ?4, ?5, ?4 FROM responses WHERE id = ?1 AND site = ?2 AND case_id = ?1 " +
        "ON CONFLICT(id) DO NOTHING",
      ).bind(s.id, s.site, tier, now, ackDue),
      db.prepare(
        "INSERT INTO events (case_id, type, by, note, at) " +
        "SELECT ?1, 'opened', 'customer', ?2, ?3 WHERE changes() = 1",
      ).bind(s.id, `tier ${tier}`, now),
      // The outbox row of the case's first alert: the queue message below
      // may be lost, the row is not.
      db.prepare(
        "INSERT INTO alerts (id, case_id, level, reason, base_url, created_at, queued_at) " +
        "SELECT ?1, ?2, ?3, '{\"kind\":\"opened\"}', ?4, ?5, ?5 WHERE changes() = 1 " +
        "ON CONFLICT(id) DO NOTHING",
      ).bind(openedAlertId(s.id, tier), s.id, tier, baseUrl, now),
    );
  }
  statements.push(db.prepare("SELECT site, reply, case_id FROM responses WHERE id = ?1").bind(s.id));
  const results = await db.batch(statements);
  const row = results.at(-1).results[0];
  if (row === undefined) throw new Error(`response ${s.id} neither stored nor found`);
  return { created: results[0].meta.changes > 0, row };
}

/** `domain::alert::idempotency_id` of a new case's first alert. */
function openedAlertId(caseId, tier) {
  return `msg_${caseId.replaceAll("-", "")}_${tier}_opened`;
}

/** `abuse::bump`, after answering: honeypot hits and rate-limited requests per day. */
function countAbuse(ctx, db, site, name, now) {
  ctx.waitUntil(db.prepare(
    "INSERT INTO counters (site, day, name, count) VALUES (?1, ?2, ?3, 1) " +
    "ON CONFLICT(site, day, name) DO UPDATE SET count = count + 1",
  ).bind(site, new Date(now).toISOString().slice(0, 10), name).run());
}

/** Whether the site's limiter lets this client send one more answer. The
 * smallest declared limit at or above the site's, so a site is never held
 * stricter than it asked; a missing or failing limiter lets the answer in
 * (logged): an answer is never refused for a fault of ours. */
async function withinRate(env, site, clientIp, perMinute) {
  const limit = RATE_LIMITS.find((n) => n >= perMinute) ?? RATE_LIMITS.at(-1);
  const binding = `RATE_LIMIT_${limit}`;
  try {
    const { success } = await env[binding].limit({ key: `${site} ${clientIp}` });
    return success;
  } catch (e) {
    console.error(`rate limiter ${binding}: ${e}`);
    return true;
  }
}

// ---- the route: body → fields → site (404) → origin (403) → rate (429) →
// page (400) → honeypot → Turnstile → store

async function postResponse(request, env, ctx) {
  const now = Date.now();
  const body = await readJsonBody(request);
  const { submission: s, honeypot } = parseSubmission(body);
  const db = env.DB;

  const site = await db.prepare(
    "SELECT origins, sla_minutes, rate_per_minute, turnstile_secret IS NOT NULL AS turnstile " +
    "FROM sites WHERE key = ?1",
  ).bind(s.site).first();
  if (site === null) throw new HttpError(404, "unknown_site", "no such site");
  const origins = JSON.parse(site.origins);

  const origin = request.headers.get("origin");
  if (origin !== null && !allowed(origins, origin)) {
    throw new HttpError(403, "origin_not_allowed", "this origin may not post to this site");
  }
  const clientIp = request.headers.get("cf-connecting-ip") ?? "unknown";
  if (!(await withinRate(env, s.site, clientIp, site.rate_per_minute))) {
    countAbuse(ctx, db, s.site, "rate_limited", now);
    throw new HttpError(429, "rate_limited",
      `too many requests from this address; try again in ${RATE_PERIOD_SECS} seconds`,
      { "retry-after": String(RATE_PERIOD_SECS) });
  }
  if (s.context.page !== null && !allowed(origins, s.context.page.origin)) {
    throw invalid("context.page", "is not on one of this site's origins");
  }

  const tier = deriveTier(s.score, s.guarantee, s.contact.callback);
  const ackMinutes = tier === "none" ? null : slaPolicy(site.sla_minutes)[tier];
  const reachable = s.contact.email !== null || s.contact.phone !== null;
  const reply = replyJson(s, tier, nextStep(tier, reachable, ackMinutes));
  if (honeypot) {
    // Looks accepted, so a bot learns nothing; nothing is stored or sent.
    countAbuse(ctx, db, s.site, "honeypot", now);
    return jsonText(201, reply);
  }
  if (site.turnstile) {
    // Turnstile needs Cloudflare's siteverify: not part of the benchmark.
    throw new Error("the JS reference does not verify Turnstile tokens");
  }

  const keys = await contactKeys(s);
  const ackDue = ackMinutes === null ? null : now + ackMinutes * 60000;
  const baseUrl = new URL(request.url).origin;
  const { created, row } = await storeAnswer(db, s, tier, keys, reply, now, ackDue, baseUrl);
  if (!created) {
    // A retry of a stored id: the identical body with 200, nothing created.
    if (row.site !== s.site) throw new HttpError(409, "conflict", "this id belongs to another site's response");
    return jsonText(200, row.reply);
  }
  if (row.case_id === s.id) {
    // Committed; if this send is lost, the outbox row still says so.
    const alert = openedAlertId(s.id, tier);
    ctx.waitUntil(env.ALERTS.send({ alert }).catch((e) => console.error(`alert ${alert}: not queued: ${e}`)));
  }
  return jsonText(201, row.reply);
}

/** The CORS preflight: the site is in the body, which a preflight lacks, so
 * any http(s) origin may ask; the POST enforces the site's list. */
function preflight(request) {
  const origin = request.headers.get("origin") ?? "";
  const headers = {};
  if (origin.startsWith("http://") || origin.startsWith("https://")) {
    Object.assign(headers, {
      "access-control-allow-origin": origin,
      vary: "Origin",
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": "content-type",
      "access-control-max-age": "600",
    });
  }
  return new Response(null, { status: 204, headers });
}

export default {
  /** The alert consumer. Sending to chat tools is out of scope here (the
   * bench site has no recipients): an alert whose site has nobody to tell
   * is finished, any other stays unfinished; every message is acked. One
   * statement per batch; if it fails, the whole batch is delivered again. */
  async queue(batch, env) {
    const ids = batch.messages.map((m) => m.body?.alert).filter((id) => typeof id === "string");
    if (ids.length > 0) {
      await env.DB.prepare(
        "UPDATE alerts SET finished_at = ?2 WHERE id IN (SELECT value FROM json_each(?1)) " +
        "AND finished_at IS NULL AND NOT EXISTS (SELECT 1 FROM cases c JOIN recipients p ON p.site = c.site " +
        "WHERE c.id = alerts.case_id)",
      ).bind(JSON.stringify(ids), Date.now()).run();
    }
    batch.ackAll();
  },

  async fetch(request, env, ctx) {
    const path = new URL(request.url).pathname.replace(/^\/+|\/+$/g, "");
    if (path === "health" && request.method === "GET") {
      // What the bench harness polls until the Worker is up; one trivial D1
      // read, as on the edge.
      const one = await env.DB.prepare("SELECT 1 AS one").first().catch(() => null);
      const d1 = !!one && one.one === 1;
      return json(d1 ? 200 : 503, { ok: d1, version: "js-reference", d1: d1 ? "ok" : "unreachable" });
    }
    if (path !== "v1/responses") {
      return errorResponse(new HttpError(404, "unknown_route", "no such route"));
    }
    if (request.method === "OPTIONS") return preflight(request);
    if (request.method !== "POST") {
      return errorResponse(new HttpError(405, "method_not_allowed", "this method is not allowed here"));
    }
    const origin = request.headers.get("origin");
    let resp;
    let expose = true;
    try {
      resp = await postResponse(request, env, ctx);
    } catch (e) {
      expose = e?.code !== "origin_not_allowed";
      resp = errorResponse(e);
    }
    // An allowed page may read why it was refused; a foreign origin learns nothing.
    if (origin !== null && expose) {
      resp.headers.set("access-control-allow-origin", origin);
      resp.headers.set("vary", "Origin");
    }
    return resp;
  },
};

function errorResponse(e) {
  if (e instanceof HttpError) {
    return json(e.status, { error: { code: e.code, message: e.message } }, e.headers);
  }
  console.error(`internal error: ${e?.stack ?? e}`);
  return json(500, { error: { code: "internal", message: "internal error" } });
}
