/* The render bench's baseline: what the widget's first render does (a host
   element, an open shadow root, a constructed stylesheet, one button),
   in plain JS with no fetches, timed with the same marks. */
(function () {
  performance.mark("candor:start");
  var host = document.createElement("candor-widget");
  var root = host.attachShadow({ mode: "open" });
  var sheet = new CSSStyleSheet();
  sheet.replaceSync(":host{position:fixed;inset:auto 16px 16px auto}button{min-height:44px}");
  root.adoptedStyleSheets = [sheet];
  var button = document.createElement("button");
  button.className = "launcher";
  button.textContent = "Feedback";
  root.appendChild(button);
  document.body.appendChild(host);
  performance.mark("candor:rendered");
})();
