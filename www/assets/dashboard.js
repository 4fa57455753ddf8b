// Candor dashboard: small enhancements on pages that work without it.
// Loaded from 'self' under the dashboard's CSP (no inline script anywhere).
// - the inbox refreshes its case list by itself and announces new cases;
// - times show in the reader's time zone (the page prints UTC);
// - "Copy" buttons copy the text they point at;
// - a mailed sign-in link's secret moves from the URL's fragment (which no
//   server ever sees) into the form its button posts, and leaves the URL.
(function () {
  "use strict";

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      if (!t.title) t.title = t.textContent;
      t.textContent = d.toLocaleString(undefined, {
        year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
      });
    });
  }

  function caseIds(root) {
    var ids = new Set();
    root.querySelectorAll("[data-case]").forEach(function (r) { ids.add(r.getAttribute("data-case")); });
    return ids;
  }

  function poll(section) {
    var every = Math.max(5, parseInt(section.getAttribute("data-poll"), 10) || 15) * 1000;
    var live = document.getElementById("live");
    var known = caseIds(section);
    var busy = false;
    // The inbox's version from the last poll: an unchanged inbox answers
    // 304 with no body (the server's one indexed read instead of the query).
    var etag = null;
    function refresh() {
      if (busy || document.hidden) return;
      busy = true;
      var headers = { Accept: "text/html" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(location.href, { credentials: "same-origin", cache: "no-store", headers: headers })
        .then(function (r) {
          if (r.status === 304) return null;
          if (r.redirected || !r.ok) throw new Error("status " + r.status);
          etag = r.headers.get("ETag");
          return r.text();
        })
        .then(function (html) {
          if (html === null) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("cases");
          if (!fresh) return;
          var ids = caseIds(fresh);
          var added = 0;
          ids.forEach(function (id) { if (!known.has(id)) added++; });
          section.replaceChildren.apply(section, Array.from(fresh.childNodes).map(function (n) {
            return document.importNode(n, true);
          }));
          localTimes(section);
          known = ids;
          if (added && live) live.textContent = added === 1 ? "1 new case" : added + " new cases";
        })
        .catch(function () { /* signed out or offline: the next tick tries again */ })
        .then(function () { busy = false; });
    }
    setInterval(refresh, every);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () {
        var source = document.getElementById(b.getAttribute("data-copy"));
        if (!source || !navigator.clipboard) return;
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          var label = b.textContent;
          b.textContent = "Copied";
          setTimeout(function () { b.textContent = label; }, 2000);
        });
      });
    });
  }

  function signInLink() {
    var field = document.getElementById("link-token");
    if (!field) return;
    var match = /(?:^#|&)t=([0-9a-f]{64})(?:&|$)/.exec(location.hash);
    if (match) field.value = match[1];
    // Out of the address bar and the history, so it is not copied or shared.
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  }

  function start() {
    signInLink();
    localTimes(document);
    copyButtons();
    var cases = document.getElementById("cases");
    if (cases && cases.hasAttribute("data-poll")) poll(cases);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
