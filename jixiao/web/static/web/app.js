// Charts: options are built on the server and travel in <script type="application/json">
// (json_script), so no inline script is needed and the CSP can forbid them.
(function () {
  "use strict";
  function renderCharts(root) {
    if (typeof window.echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSwap", function (e) { renderCharts(e.target); });
})();
