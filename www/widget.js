/* Candor loader. Reads its own <script> tag at once, then loads the versioned
   widget (glue + wasm) from the same origin as this file and mounts it.
   No cookies, no inline script or style: works under
   script-src 'self' 'wasm-unsafe-eval'. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  // Paired with "candor:rendered" (set by the widget) for the render bench.
  if (window.performance && performance.mark) performance.mark("candor:start");
  var base = new URL("v/__CANDOR_VERSION__/", script.src).href;
  var d = script.dataset;
  var settings = {
    site: d.site || "",
    api: new URL(script.src).origin,
    transaction: d.transaction || "",
    locale: d.locale || "",
    mode: d.mode || "",
    target: d.target || "",
    side: d.side || "",
    lang: document.documentElement.lang || ""
  };
  // Turnstile, for a site that turns it on: the full build calls this with
  // the form's box (inside its shadow root). The script (data-turnstile-src:
  // https or this machine; Cloudflare's by default) is loaded once, with
  // this tag's CSP nonce; the token lands on the box as data-token, where
  // the widget reads it on Send. Called again for the same box, it resets
  // the challenge: a token is spent once. Here, not in the wasm, because
  // Turnstile is a JS API and every site would carry its glue otherwise.
  var turnstileSrc = /^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost):)/.test(d.turnstileSrc || "")
    ? d.turnstileSrc
    : "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit";
  var turnstileReady;
  settings.challenge = function (box, sitekey, lang) {
    turnstileReady = turnstileReady || new Promise(function (ok, fail) {
      if (window.turnstile) return ok();
      var s = document.createElement("script");
      s.src = turnstileSrc;
      s.async = true;
      s.nonce = script.nonce;
      s.onload = ok;
      s.onerror = fail;
      document.head.appendChild(s);
    });
    turnstileReady.then(function () {
      var id = box.getAttribute("data-widget");
      box.removeAttribute("data-token");
      if (id) return turnstile.reset(id);
      box.setAttribute("data-widget", turnstile.render(box, {
        sitekey: sitekey,
        language: lang,
        callback: function (token) { box.setAttribute("data-token", token); },
        "expired-callback": function () { box.removeAttribute("data-token"); }
      }));
    }, function (e) {
      turnstileReady = null;
      warn(e);
    });
  };
  // Three builds of the same Rust crate: the launcher (first render), the
  // inline form (no dialog), and the full widget, fetched once, when the
  // launcher or the page needs it.
  function load(name) {
    return import(base + name + ".js").then(function (m) {
      return m.default({ module_or_path: base + name + "_bg.wasm" }).then(function () {
        return m;
      });
    });
  }
  // full() fetches it; full(name, a, b) then calls its export `name`: the
  // launcher's way to hand over, so it carries no promise code of its own.
  var full;
  settings.full = function (name, a, b) {
    if (!full) {
      full = load("candor_widget");
      // A failed fetch (offline) is retried on the next hover or click.
      full.catch(function (e) {
        full = null;
        warn(e);
      });
    }
    if (name) {
      full.then(function (m) {
        m[name](a, b);
      }, function () {});
    }
    return full;
  };
  function warn(e) {
    console.warn("Candor: the feedback widget could not load", e);
  }
  function start() {
    // Inline mode draws the form at once: the inline build is the first
    // render, and the launcher build would be bytes for nothing.
    var inline = settings.target && settings.mode !== "launcher";
    load(inline ? "candor_inline" : "candor_launcher")
      .then(function (m) {
        (inline ? m.mount : m.launch)(settings);
      })
      .catch(warn);
  }
  // The inline build, when data-target matches no element (it has said so
  // in the console, and named any ignored attribute): the launcher after all.
  settings.launcher = function () {
    settings.mode = "launcher";
    settings.warned = true;
    load("candor_launcher").then(function (m) {
      m.launch(settings);
    }, warn);
  };
  // The page's own API. `open` works only inside a click or a key press
  // (the widget never opens by itself); `identify` only fills in fields the
  // customer sees, edits and sends, or not.
  var api = (window.Candor = window.Candor || {});
  api.open = function (o) {
    var ua = navigator.userActivation;
    if (!(ua ? ua.isActive : window.event && event.isTrusted)) {
      return console.warn("Candor.open() needs a click or a key press");
    }
    var s = Object.assign({}, settings);
    if (o && typeof o.transaction === "string") s.transaction = o.transaction;
    settings.full().then(function (m) {
      m.open_from_page(s);
    }, warn);
  };
  api.identify = function (who) {
    who = who || {};
    settings.email = typeof who.email === "string" ? who.email : "";
    settings.name = typeof who.name === "string" ? who.name : "";
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();
