/* A stand-in for Cloudflare Turnstile's api.js (explicit rendering), so the
   browser tests need no internet. It keeps the documented test sitekeys'
   behaviour (developers.cloudflare.com/turnstile/troubleshooting/testing):
   1x00000000000000000000AA always passes, with the dummy token
   XXXX.DUMMY.TOKEN.XXXX; 2x00000000000000000000AB always blocks. Each
   challenge takes 300 ms, as a real one takes a moment. The API is the
   subset the widget uses: render, getResponse, reset, remove. */
(function () {
  "use strict";
  var PASSES = "1x00000000000000000000AA";
  var widgets = [];
  window.turnstileStandIn = { renders: 0, resets: 0 };
  function run(w) {
    w.token = undefined;
    w.box.textContent = "Verifying…";
    setTimeout(function () {
      if (w.options.sitekey === PASSES) {
        w.token = "XXXX.DUMMY.TOKEN.XXXX";
        w.box.textContent = "Success!";
        if (w.options.callback) w.options.callback(w.token);
      } else {
        w.box.textContent = "Verification failed";
        if (w.options["error-callback"]) w.options["error-callback"]("110100");
      }
    }, 300);
  }
  window.turnstile = {
    render: function (el, options) {
      if (typeof el === "string") el = document.querySelector(el);
      var box = document.createElement("div");
      box.setAttribute("data-stand-in", "turnstile");
      box.setAttribute("lang", (options && options.language) || "auto");
      el.appendChild(box);
      var w = { box: box, options: options || {} };
      widgets.push(w);
      window.turnstileStandIn.renders++;
      run(w);
      return "cf-chl-widget-" + (widgets.length - 1);
    },
    getResponse: function (id) {
      var w = widgets[Number(String(id).split("-").pop())];
      return w ? w.token : undefined;
    },
    reset: function (id) {
      var w = widgets[Number(String(id).split("-").pop())];
      window.turnstileStandIn.resets++;
      if (w) run(w);
    },
    remove: function (id) {
      var w = widgets[Number(String(id).split("-").pop())];
      if (w) w.box.remove();
    }
  };
})();
