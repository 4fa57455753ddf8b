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
  function start() {
    import(base + "candor_widget.js")
      .then(function (m) {
        return m.default({ module_or_path: base + "candor_widget_bg.wasm" }).then(function () {
          m.mount(settings);
        });
      })
      .catch(function (e) {
        console.warn("Candor: the feedback widget could not load", e);
      });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();
