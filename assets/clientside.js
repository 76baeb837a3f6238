// Clientside callbacks: linked zoom and hover across charts with no server round trip, and the copy-link text.
(function () {
  // Every chart on the page (dcc.Graph with class "chart") shares one x range.
  const graphIds = () => Array.from(document.querySelectorAll(".chart[id]")).map((el) => el.id);

  function plotDiv(graphId) {
    return document.querySelector("#" + graphId + " .js-plotly-plot");
  }

  // A relayout event's new x range as day strings, "reset" for autorange, or null when x did not change.
  function xRange(relayout) {
    if (!relayout) return null;
    if (relayout["xaxis.autorange"]) return "reset";
    const range = relayout["xaxis.range"] || [relayout["xaxis.range[0]"], relayout["xaxis.range[1]"]];
    if (range[0] === undefined || range[1] === undefined) return null;
    return [String(range[0]).slice(0, 10), String(range[1]).slice(0, 10)];
  }

  let hovering = false;

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    riskon: {
      // Any chart's zoom or pan moves every other chart, then lands in the zoom store (and so in the URL).
      linkZoom: function () {
        const nc = window.dash_clientside.no_update;
        const triggered = window.dash_clientside.callback_context.triggered;
        if (!triggered.length) return nc;
        const source = triggered[0].prop_id.split(".")[0];
        const range = xRange(triggered[0].value);
        const current = arguments[arguments.length - 1];
        if (range === null) return nc;
        if (range === "reset") return current ? null : nc;
        if (current && current.start === range[0] && current.end === range[1]) return nc;
        graphIds().filter((id) => id !== source).forEach((id) => {
          const div = plotDiv(id);
          if (div && div.layout) window.Plotly.relayout(div, { "xaxis.range": range });
        });
        return { start: range[0], end: range[1] };
      },
      // Hovering one chart shows the same date's hover label on the others (a shared crosshair).
      linkHover: function () {
        const triggered = window.dash_clientside.callback_context.triggered;
        if (hovering || !triggered.length) return window.dash_clientside.no_update;
        const source = triggered[0].prop_id.split(".")[0];
        const hover = triggered[0].value;
        hovering = true;
        try {
          graphIds().filter((id) => id !== source).forEach((id) => {
            const div = plotDiv(id);
            if (!div || !div.data) return;
            if (hover && hover.points && hover.points.length) {
              window.Plotly.Fx.hover(div, { xval: hover.points[0].x }, "xy");
            } else {
              window.Plotly.Fx.unhover(div);
            }
          });
        } finally {
          hovering = false;
        }
        return window.dash_clientside.no_update;
      },
      copyLink: function () {
        return window.location.href;
      },
    },
  });
})();
