// The plain-JavaScript reference for the ingest benchmark (`cargo xtask
// bench`, docs/budgets.md#the-budgets: Rust Worker vs an equivalent JS Worker, ≥ 1.0×).
//
// It mirrors `routes::responses::post` (edge/src/routes/responses.rs) and
// `store::ingest::insert` (formerly `store::insert_response`; with the reads
// of edge/src/store/{sites,abuse,deliveries}.rs), with the field rules of
// domain/src/{submission,fields,tier,acknowledgement,origin,sla,rate}.rs:
// same checks in the same order, same D1 statements and round trips, same
// answer bytes. When the Rust ingest path changes (a query added, a rule
// tightened), change this file the same way, or the ratio stops comparing
// like with like. No npm dependencies, no build step.
//
// Only `POST /v1/responses` exists here (and `GET /health`, which the
// harness polls until the Worker is up). Alerts are out of scope (the bench
// site has no recipients), but the recipients look-up the edge runs after
// opening a case is done too, so the D1 work stays the same. Turnstile
// (Cloudflare's siteverify) is not implemented: the bench site has none.

const MAX_BODY = 16 * 1024;
const GAPS_MAX_CHARS = 4000;
const SLA_DEFAULTS = { service: 240, account: 60, senior: 30, president: 15 };
const TIER_ROLES = {
  none: [],
  service: ["service_manager"],
  account: ["client_manager", "service_manager"],
  senior: ["client_manager", "service_manager", "senior_management"],
  president: ["client_manager", "service_manager", "senior_management", "president"],
};

/** A refusal: becomes `{"error": {"code", "message"}}` with `status`. */
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

/** `added_to_open_case`: a callback request that joins the contact's open case. */
function addedToOpenCase(caseTier, minutesLeft) {
  const who = {
    account: "Your account manager", senior: "Our senior management", president: "Our president",
  }[caseTier] ?? "Our service manager";
  const when = minutesLeft > 0 ? `within ${humanMinutes(minutesLeft)}` : "very soon";
  return "Thank you — we have added this to the request you already have open with us, " +
    `so nothing gets lost. ${who} will call you back ${when}.`;
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

// ---- D1: the same statements as edge/src/store/{sites,abuse,ingest,deliveries}.rs

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

const openCaseOfContact = (site, email, phone) =>
  "SELECT c.id FROM cases c WHERE c.state != 'closed' AND c.id IN (" +
  `SELECT case_id FROM responses WHERE site = ${site} AND email_key = ${email} ` +
  `UNION SELECT case_id FROM responses WHERE site = ${site} AND phone_key = ${phone}) ` +
  "ORDER BY c.opened_at LIMIT 1";

/** `ingest::insert`: one batch, every statement idempotent, the stored row read back last. */
async function insertResponse(db, s, tier, keys, reply, joinedReply, now, ackDue, baseUrl) {
  const mayJoin = s.contact.callback;
  const statements = [
    db.prepare(
      "INSERT INTO responses (id, site, received_at, gaps, score, guarantee, tier, contact_name, " +
      "contact_email, contact_phone, callback, page, transaction_ref, locale, email_key, phone_key, " +
      "case_id, reply) " +
      "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, " +
      "CASE WHEN j IS NOT NULL THEN j WHEN ?17 THEN ?1 END, " +
      "CASE WHEN j IS NOT NULL THEN ?19 ELSE ?18 END " +
      `FROM (SELECT CASE WHEN ?20 THEN (${openCaseOfContact("?2", "?15", "?16")}) END AS j) ` +
      "WHERE true ON CONFLICT(id) DO NOTHING",
    ).bind(s.id, s.site, now, s.gaps, s.score, s.guarantee ? 1 : 0, tier, s.contact.name,
      s.contact.email, s.contact.phone, s.contact.callback ? 1 : 0, s.context.page?.href ?? null,
      s.context.transaction, s.context.locale, keys.email, keys.phone,
      tier === "none" ? 0 : 1, reply, joinedReply, mayJoin ? 1 : 0),
  ];
  if (tier !== "none") {
    statements.push(
      db.prepare(
        "INSERT INTO cases (id, site, tier, state, level, opened_at, ack_due_at, updated_at) " +
        "SELECT ?1, ?2, ?3, 'open', ?3, ?4, ?5, ?4 " +
        "WHERE EXISTS (SELECT 1 FROM responses WHERE id = ?1 AND site = ?2 AND case_id = ?1) " +
        "ON CONFLICT(id) DO NOTHING",
      ).bind(s.id, s.site, tier, now, ackDue),
      db.prepare(
        "INSERT INTO events (case_id, type, by, note, at) " +
        "SELECT ?1, 'opened', 'customer', ?3, ?4 " +
        "WHERE EXISTS (SELECT 1 FROM cases WHERE id = ?1 AND site = ?2) " +
        "AND NOT EXISTS (SELECT 1 FROM events WHERE case_id = ?1 AND type = 'opened')",
      ).bind(s.id, s.site, `tier ${tier}`, now),
      // The outbox row of the case's first alert (`ingest::opened_alert`).
      db.prepare(
        "INSERT INTO alerts (id, case_id, level, reason, base_url, created_at, queued_at) " +
        "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 " +
        "WHERE EXISTS (SELECT 1 FROM cases WHERE id = ?2 AND level = ?3 AND opened_at = ?6) " +
        "ON CONFLICT(id) DO NOTHING",
      ).bind(openedAlertId(s.id, tier), s.id, tier, '{"kind":"opened"}', baseUrl, now, now),
    );
  }
  if (mayJoin) {
    const score = s.score === null ? "no score" : `score ${s.score}`;
    statements.push(db.prepare(
      "INSERT INTO events (case_id, type, by, note, data, at) " +
      "SELECT r.case_id, 'message', 'customer', ?3, json_object('response', r.id), ?4 " +
      "FROM responses r WHERE r.id = ?1 AND r.site = ?2 AND r.case_id IS NOT NULL AND r.case_id != r.id " +
      "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = r.case_id AND e.type = 'message' " +
      "AND json_extract(e.data, '$.response') = r.id)",
    ).bind(s.id, s.site,
      `the customer asked again for a callback (${score}, tier ${tier}); see response ${s.id}`, now));
  }
  statements.push(db.prepare("SELECT site, reply, case_id FROM responses WHERE id = ?1").bind(s.id));
  const results = await db.batch(statements);
  const created = (results[0]?.meta?.changes ?? 0) > 0;
  const row = results.at(-1)?.results?.[0];
  if (row === undefined) throw new Error(`response ${s.id} neither stored nor found`);
  return { created, row };
}

/** `abuse::bump`, after answering: honeypot hits and rate-limited requests per day. */
function countAbuse(ctx, db, site, name, now) {
  ctx.waitUntil(db.prepare(
    "INSERT INTO counters (site, day, name, count) VALUES (?1, ?2, ?3, 1) " +
    "ON CONFLICT(site, day, name) DO UPDATE SET count = count + 1",
  ).bind(site, new Date(now).toISOString().slice(0, 10), name).run());
}

// ---- the route (routes::responses::post)

async function postResponse(request, env, ctx) {
  const now = Date.now();
  const body = await readJsonBody(request);
  const { submission: s, honeypot } = parseSubmission(body);
  const keys = await contactKeys(s);
  const db = env.DB;

  // One round trip: the site, this client's count in the rate window, and
  // (for a callback) the contact's open case.
  const windowStart = now - (now % 60000);
  const clientIp = request.headers.get("cf-connecting-ip") ?? "unknown";
  const client = await sha256Hex(s.site, clientIp);
  const reads = [
    db.prepare("SELECT key, origins, copy, show_score, show_guarantee, cooldown_days, " +
      "sla_minutes, rate_per_minute, turnstile_sitekey, turnstile_secret FROM sites WHERE key = ?1").bind(s.site),
    db.prepare("INSERT INTO rate_windows (key, window, count) SELECT ?1, ?2, 1 " +
      "WHERE EXISTS (SELECT 1 FROM sites WHERE key = ?3) " +
      "ON CONFLICT(key, window) DO UPDATE SET count = count + 1 RETURNING count").bind(client, windowStart, s.site),
  ];
  if (s.contact.callback) {
    reads.push(db.prepare(`SELECT c.tier, c.ack_due_at FROM cases c WHERE c.id = (${openCaseOfContact("?1", "?2", "?3")})`)
      .bind(s.site, keys.email, keys.phone));
  }
  const [siteRows, countRows, openRows] = await db.batch(reads);
  const site = siteRows.results[0];
  if (site === undefined) throw new HttpError(404, "unknown_site", "no such site");
  const origins = JSON.parse(site.origins);
  try {
    JSON.parse(site.copy); // parsed with the site in Rust, unused on this route
  } catch { /* unreadable copy falls back to none */ }
  const count = countRows.results[0]?.count ?? 0;
  const openCase = openRows?.results[0] ?? null;

  const origin = request.headers.get("origin");
  if (origin !== null && !allowed(origins, origin)) {
    throw new HttpError(403, "origin_not_allowed", "this origin may not post to this site");
  }
  if (count === 1) {
    // A new window opened: drop the ones that can no longer limit anyone.
    ctx.waitUntil(db.prepare("DELETE FROM rate_windows WHERE window < ?1").bind(windowStart - 60000).run());
  }
  if (count > Math.min(Math.max(site.rate_per_minute, 1), 1e6)) {
    countAbuse(ctx, db, site.key, "rate_limited", now);
    const retry = Math.min(60, Math.max(1, Math.ceil((windowStart + 60000 - now) / 1000)));
    throw new HttpError(429, "rate_limited", "too many answers from here; try again shortly", { "retry-after": String(retry) });
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
    countAbuse(ctx, db, site.key, "honeypot", now);
    return jsonText(201, reply);
  }
  if (site.turnstile_secret !== null) {
    // Turnstile needs Cloudflare's siteverify: not part of the benchmark.
    throw new Error("the JS reference does not verify Turnstile tokens");
  }
  let joinedReply = reply;
  if (openCase !== null) {
    const left = openCase.ack_due_at === null ? null
      : Math.min(Math.max(Math.ceil((openCase.ack_due_at - now) / 60000), 0), 1e6);
    joinedReply = replyJson(s, tier, addedToOpenCase(openCase.tier, left));
  }
  const ackDue = ackMinutes === null ? null : now + ackMinutes * 60000;
  const baseUrl = new URL(request.url).origin;
  const { created, row } = await insertResponse(db, s, tier, keys, reply, joinedReply, now, ackDue, baseUrl);
  if (!created) {
    // A retry of a stored id: the identical body with 200, nothing created.
    if (row.site !== s.site) throw new HttpError(409, "conflict", "this id belongs to another site's response");
    return jsonText(200, row.reply);
  }
  if (row.case_id === s.id) {
    // As the edge: after the commit, the alert's id goes on the queue.
    ctx.waitUntil(env.ALERTS.sendBatch([{ body: { alert: openedAlertId(s.id, tier) } }]));
  }
  return jsonText(201, row.reply);
}

/** `domain::alert::idempotency_id` for a new case's first alert. */
function openedAlertId(caseId, tier) {
  return `msg_${caseId.replaceAll("-", "")}_${tier}_opened`;
}

/** The consumer's work for a site without recipients (the bench site): read
 * the alert with its case and response, find no one to send to, write one
 * dead letter per role of the alert's level ("no recipient for …", in one
 * batch), finish it — the same three D1 round trips as the edge's
 * `consume::deliver`. */
const ROLE_AUDIENCE = {
  service_manager: "the service manager",
  client_manager: "the client manager",
  senior_management: "senior management",
  president: "the president",
};

async function consumeAlerts(batch, env) {
  for (const m of batch.messages) {
    const id = m.body.alert;
    const [facts, recipients] = await env.DB.batch([
      env.DB.prepare(
        "SELECT a.id, a.finished_at, a.reason, a.base_url, a.level, a.case_id, c.site, c.tier, c.state, " +
        "c.opened_at, c.ack_due_at, r.gaps, r.score, r.guarantee, r.transaction_ref, r.contact_email, " +
        "r.contact_phone, r.callback, r.erased_at FROM alerts a JOIN cases c ON c.id = a.case_id " +
        "JOIN responses r ON r.id = COALESCE(json_extract(a.reason, '$.response'), a.case_id) WHERE a.id = ?1").bind(id),
      env.DB.prepare(
        "SELECT p.id, p.role, p.format, p.url, p.secret, 0 AS attempts, 0 AS settled FROM recipients p WHERE p.site = " +
        "(SELECT c.site FROM alerts a JOIN cases c ON c.id = a.case_id WHERE a.id = ?1) ORDER BY p.id").bind(id),
    ]);
    const alert = facts.results[0];
    if (alert && alert.finished_at === null) {
      const now = Date.now();
      const missing = (TIER_ROLES[alert.level] ?? [])
        .filter((role) => !recipients.results.some((p) => p.role === role));
      if (missing.length > 0) {
        await env.DB.batch(missing.map((role) => env.DB.prepare(
          "INSERT INTO dead_letters (alert_id, recipient_id, case_id, why, last_status, at) " +
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING")
          .bind(id, `no-recipient-${role}`, alert.case_id, `no recipient for ${ROLE_AUDIENCE[role]}`, null, now)));
      }
      await env.DB.prepare("UPDATE alerts SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL")
        .bind(id, now).run();
    }
    m.ack();
  }
}

export default {
  async queue(batch, env) {
    await consumeAlerts(batch, env);
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
