// Clientside callbacks: linked zoom and hover across charts with no server round trip, and the copy-link text.
(function () {
  // Every chart on the page (dcc.Graph with class "chart") shares one x range.
  const graphIds = () => Array.from(document.querySelectorAll(".chart[id]")).map((el) => el.id);

  function plotDiv(graphId) {
    return document.querySelector("#" + graphId + " .js-plotly-plot");
  }

  // Plotly date strings ("2021-03-04", "2021-03-04 12:30:00.5") are UTC; a number is already epoch ms.
  function dateMs(value) {
    if (typeof value === "number") return value;
    const text = String(value).trim().replace(" ", "T");
    return Date.parse(text.length <= 10 ? text + "T00:00:00Z" : text + "Z");
  }

  // When each chart was last double-clicked (Plotly's own test: a second press within 300 ms). Plotly answers a
  // double-click with its initial range or with an autorange over the whole data (1986-2028); either way the
  // analyst asked for the preset.
  const doubleClicked = {};
  const pressed = {};
  document.addEventListener(
    "pointerdown",
    (event) => {
      const chart = event.target.closest && event.target.closest(".chart[id]");
      if (!chart) return;
      const now = Date.now();
      if (now - (pressed[chart.id] || 0) < 300) doubleClicked[chart.id] = now;
      pressed[chart.id] = now;
    },
    true,
  );

  // A relayout event's x change: {range} as given (full precision), {reset, range} after a double-click (the
  // range Plotly reset the chart to, or null for an autorange), or null when x did not change.
  function xChange(relayout, source) {
    if (!relayout) return null;
    const range = relayout["xaxis.range"] || [relayout["xaxis.range[0]"], relayout["xaxis.range[1]"]];
    const given = range[0] !== undefined && range[1] !== undefined;
    const autorange = Boolean(relayout["xaxis.autorange"]);
    if (autorange || (given && Date.now() - (doubleClicked[source] || 0) < 2000)) {
      delete doubleClicked[source];
      return { reset: true, range: autorange ? null : range };
    }
    return given ? { reset: false, range: range } : null;
  }

  const day = (value) => new Date(dateMs(value)).toISOString().slice(0, 10);

  // y range with 5% padding over the finite values (log10 units on a log axis), as the server's fit_range.
  function fitRange(low, high) {
    if (!(low <= high)) return null;
    const pad = (high - low) * 0.05 || Math.abs(high) * 0.05 || 1;
    return [low - pad, high + pad];
  }

  // Relayout updates that fit every free y axis of `div` to the points inside [x0, x1] (epoch ms): Plotly would
  // autorange y over a series' whole history, which flattens a recent window of a long series. The points are
  // those Plotly already holds (calcdata: x in epoch ms, y as data values); hidden traces do not count.
  function yFit(div, x0, x1) {
    const layout = div._fullLayout;
    const extents = {};
    (div.calcdata || []).forEach((points) => {
      const trace = points[0] && points[0].trace;
      if (!trace || trace.visible !== true || trace.type !== "scatter") return;
      const axis = layout[trace.yaxis.replace("y", "yaxis")];
      if (!axis || axis.fixedrange) return;
      const log = axis.type === "log";
      const name = axis._name;
      const extent = extents[name] || (extents[name] = { low: Infinity, high: -Infinity, log: log });
      for (let i = 0; i < points.length; i++) {
        const x = points[i].x;
        let y = points[i].y;
        if (!(x >= x0 && x <= x1) || !Number.isFinite(y)) continue;
        if (log) {
          if (y <= 0) continue;
          y = Math.log10(y);
        }
        if (y < extent.low) extent.low = y;
        if (y > extent.high) extent.high = y;
      }
    });
    const update = {};
    Object.keys(extents).forEach((name) => {
      const extent = extents[name];
      const range = fitRange(extent.low, extent.high);
      if (range === null) return;
      update[name + ".range"] = range;
      // A log axis spanning a decade or more labels 1, 2, 5 per decade; a narrower one keeps Plotly's ticks.
      if (extent.log) update[name + ".dtick"] = range[1] - range[0] >= 1 ? "D2" : null;
    });
    return update;
  }

  // What the zoom store should hold after the last zoom or double-click (undefined before any), and what it held
  // before.
  let wanted;
  let replaced;
  const key = (value) => JSON.stringify(value || null);

  // The days range this script last gave a chart loudly: its relayout event echoes it and is not a user's zoom.
  const applied = {};
  const dayKey = (range) => day(range[0]) + ".." + day(range[1]);

  // Redraw `div` without telling dcc.Graph: its relayoutData would make Dash re-render the graph (one more
  // Plotly.react, which also rebuilds the modebar and the chart's config) and call linkZoom again for a change
  // made here.
  function quietRelayout(div, update) {
    const emit = div.emit;
    div.emit = (event, data) => (event === "plotly_relayout" ? undefined : emit.call(div, event, data));
    const restore = () => {
      div.emit = emit;
    };
    window.Plotly.relayout(div, update).then(restore, restore);
  }

  // Show [start, end] on chart `id`: x (unless it already shows it) and its refitted y axes in one relayout,
  // quietly unless told (a chart put back after Plotly's autorange reports its range, so that dcc.Graph's copy of
  // the layout drops the autorange).
  function showRange(id, range, withX, quiet = true) {
    const div = plotDiv(id);
    if (!div || !div._fullLayout || !div.calcdata) return;
    const update = yFit(div, dateMs(range[0]), dateMs(range[1]));
    if (withX) update["xaxis.range"] = range.slice();
    if (!Object.keys(update).length) return;
    if (quiet) return quietRelayout(div, update);
    if (withX) applied[id] = dayKey(range); // its relayout event will echo this range
    window.Plotly.relayout(div, update);
  }

  // The x range charts other than `source` currently show (they are all linked, so any one will do).
  function linkedRange(source) {
    for (const id of graphIds()) {
      const div = plotDiv(id);
      if (id !== source && div && div._fullLayout && div._fullLayout.xaxis) return div._fullLayout.xaxis.range;
    }
    return null;
  }

  // The chart the last linked hover came from, and the x it showed elsewhere: Fx.hover is told not to emit
  // events, but a pointer resting on a chart we drew into may still report that same x; it is not a new hover.
  let hoverFrom = null;
  let hoverX = null;

  // Leaving a chart clears the labels it drew on the others (dcc.Graph keeps hoverData after an unhover).
  function clearHoverOnLeave(source) {
    const element = document.getElementById(source);
    if (!element || element.dataset.linkedHover) return;
    element.dataset.linkedHover = "on";
    element.addEventListener("mouseleave", () => {
      hoverFrom = hoverX = null;
      graphIds().filter((id) => id !== source).forEach((id) => {
        const div = plotDiv(id);
        if (div && div.calcdata) window.Plotly.Fx.unhover(div);
      });
    });
  }

  // The modebar's PNG carries the view's share link: Plotly draws the image from the chart as it is when the
  // button is pressed, so the link joins the credit corner for that moment and leaves right after. The file is
  // named like the server's (components/charts export_name): riskon_<chart>_<start>_<end>.png, from the range
  // shown (set here, not in the config the server sends: a new config makes Plotly draw the chart anew).
  document.addEventListener(
    "pointerdown",
    (event) => {
      const button = event.target.closest && event.target.closest('[data-title^="Download plot"]');
      const chart = button && button.closest(".chart[id]");
      const div = chart && plotDiv(chart.id);
      if (!div || !div.layout) return;
      const notes = div.layout.annotations || [];
      const link = {
        text: window.location.href, xref: "paper", yref: "paper", x: 1, y: -0.11,
        xanchor: "right", yanchor: "top", showarrow: false, font: { size: 10 },
      };
      const shown = div._fullLayout.xaxis.range.map(day);
      const name = ["riskon", chart.id.replace(/^graph-/, ""), ...shown].join("_");
      div._context.toImageButtonOptions = { ...div._context.toImageButtonOptions, filename: name };
      quietRelayout(div, { annotations: [...notes, link] });
      // The download starts on click, after pointerup; the chart gets its own notes back once it has.
      button.addEventListener("click", () => setTimeout(() => quietRelayout(div, { annotations: notes })), {
        once: true,
      });
    },
    true,
  );

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    riskon: {
      // Any chart's zoom or pan moves every chart (x and its y axes refitted, one relayout per chart), then the
      // range lands in the zoom store ({start, end}) and so in the URL; the server only syncs the URL. A
      // double-click clears the store (null): every chart and the URL return to the preset (the server draws
      // the preset's range when the store is cleared; the charts already follow Plotly's reset meanwhile).
      linkZoom: function () {
        const nc = window.dash_clientside.no_update;
        // Several charts' events can arrive in one call (ours among them): the first that moved x counts.
        const moved = window.dash_clientside.callback_context.triggered
          .map((item) => [item.prop_id.split(".")[0], item.value])
          .map(([source, relayout]) => ({ source: source, change: xChange(relayout, source) }))
          .filter((item) => item.change !== null)
          .find((item) => {
            const change = item.change;
            const echo = !change.reset && applied[item.source] === dayKey(change.range);
            delete applied[item.source];
            return !echo;
          });
        const current = arguments[arguments.length - 1];
        if (!moved) {
          // Only our own redraws: if Dash dropped the call that set the store (it can when the callback is
          // triggered again before that result lands), set it again; a value someone else stored since stays.
          const lost = wanted !== undefined && key(current) === key(replaced) && key(current) !== key(wanted);
          return lost ? wanted : nc;
        }
        const source = moved.source;
        const range = moved.change.range;
        // Charts are redrawn after this returns: their own relayout events then find the store already holding
        // the range (and end there) instead of superseding this call while it runs.
        if (moved.change.reset) {
          if (range !== null) {
            // Plotly reset the chart to the range the server drew (the preset's): every chart follows it.
            setTimeout(() => graphIds().forEach((id) => showRange(id, range, id !== source)));
          } else {
            // An autorange over the whole data: back in line with the others.
            const others = linkedRange(source);
            if (others) setTimeout(() => showRange(source, others, true, false));
          }
          [wanted, replaced] = [null, current];
          return current ? null : nc;
        }
        const days = [day(range[0]), day(range[1])];
        if (current && current.start === days[0] && current.end === days[1]) return nc;
        setTimeout(() => graphIds().forEach((id) => showRange(id, range, id !== source)));
        [wanted, replaced] = [{ start: days[0], end: days[1] }, current];
        return wanted;
      },
      // Hovering one chart shows the same day's hover label on the others (a shared crosshair).
      linkHover: function () {
        const nc = window.dash_clientside.no_update;
        const triggered = window.dash_clientside.callback_context.triggered;
        if (!triggered.length) return nc;
        const source = triggered[0].prop_id.split(".")[0];
        const hover = triggered[0].value;
        const point = hover && hover.points && hover.points[0];
        if (!point) return nc;
        const x = dateMs(point.x);
        if (!Number.isFinite(x) || (source !== hoverFrom && x === hoverX)) return nc;
        hoverFrom = source;
        hoverX = x;
        clearHoverOnLeave(source);
        graphIds().filter((id) => id !== source).forEach((id) => {
          const div = plotDiv(id);
          if (div && div.calcdata) window.Plotly.Fx.hover(div, { xval: x }, "xy", true);
        });
        return nc;
      },
      copyLink: function () {
        return window.location.href;
      },
    },
  });
})();
