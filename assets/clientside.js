// Clientside callbacks: linked zoom and hover across charts with no server round trip, and the copy-link text.

// Dash's @babel/polyfill (core-js 2) replaces String.prototype.trim, parseInt and parseFloat with slow scripts in
// today's browsers (it still counts U+180E as a space) and plotly.js calls them for every colour it reads: about a
// fifth of drawing a chart. The browser's own functions are taken back from a fresh realm (an empty iframe).
(function nativeStringFunctions() {
  const frame = document.createElement("iframe");
  frame.hidden = true;
  document.documentElement.appendChild(frame);
  const native = frame.contentWindow;
  ["trim", "trimStart", "trimEnd", "trimLeft", "trimRight"].forEach((name) => {
    if (native.String.prototype[name]) String.prototype[name] = native.String.prototype[name];
  });
  window.parseInt = Number.parseInt = native.parseInt;
  window.parseFloat = Number.parseFloat = native.parseFloat;
  frame.remove();
})();

// dcc.Graph calls Plotly.Plots.resize after each chart's first plot, and Plotly answers every resize with a
// relayout of width and height that draws the whole chart again (a chart's most costly step on load), even when
// the chart already fills its box. A resize is skipped when the chart was drawn at its box's size; a box that
// changes later still redraws it (dcc.Graph watches the box and resizes again). plotly.js loads after this file.
document.addEventListener("DOMContentLoaded", function skipSameSizeResize() {
  const Plots = window.Plotly && window.Plotly.Plots;
  if (!Plots) return;
  const resize = Plots.resize;
  // As Plotly's autosize reads a box: its computed size, a change of more than 1 px, fixed sides never change.
  const drawnAtSize = (gd) => {
    const style = gd && gd._fullLayout && gd.layout && window.getComputedStyle(gd);
    const changed = (side) => !gd.layout[side] && !(Math.abs(parseFloat(style[side]) - gd._fullLayout[side]) <= 1);
    return Boolean(style) && !changed("width") && !changed("height");
  };
  Plots.resize = function (gd) {
    const div = typeof gd === "string" ? document.getElementById(gd) : gd;
    return drawnAtSize(div) ? Promise.resolve(div) : resize.apply(this, arguments);
  };
});

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
    const given = range.every((end) => end !== undefined && Number.isFinite(dateMs(end)));
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
  // those Plotly already holds (calcdata: x in epoch ms, y as data values); hidden traces do not count. `types`
  // names axes about to change type ({yaxis: "log"}): they are fitted in the new units.
  function yFit(div, x0, x1, types = {}) {
    const layout = div._fullLayout;
    const extents = {};
    (div.calcdata || []).forEach((points) => {
      const trace = points[0] && points[0].trace;
      if (!trace || trace.visible !== true || trace.type !== "scatter") return;
      const axis = layout[trace.yaxis.replace("y", "yaxis")];
      if (!axis || axis.fixedrange) return;
      const name = axis._name;
      const log = (types[name] || axis.type) === "log";
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

  // The zoom store's id and what it holds (kept by the watchCharts callback), set from here with set_props.
  let zoomStore = null;
  let zoomHeld = null;

  // Our own relayouts (linking, y refit, the PNG's link) are not a user's zoom: their events are dropped.
  function quietRelayout(div, update) {
    div.riskonQuiet = (div.riskonQuiet || 0) + 1;
    const done = () => {
      div.riskonQuiet -= 1;
    };
    return window.Plotly.relayout(div, update).then(done, done);
  }

  // Show [start, end] on chart `id`: x (unless it already shows it) and its refitted y axes in one relayout.
  function showRange(id, range, withX) {
    const div = plotDiv(id);
    if (!div || !div._fullLayout || !div.calcdata) return;
    const update = yFit(div, dateMs(range[0]), dateMs(range[1]));
    if (withX) update["xaxis.range"] = range.slice();
    if (Object.keys(update).length) quietRelayout(div, update);
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
  let hoverFrame = 0;

  // Leaving a chart clears the labels it drew on the others.
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

  // Any chart's zoom or pan moves every chart (x and its y axes refitted, one relayout per chart), then the range
  // lands in the zoom store ({start, end}) and so in the URL; the server only syncs the URL. A double-click clears
  // the store (null): every chart and the URL return to the preset.
  function linkZoom(source, relayout) {
    const change = xChange(relayout, source);
    if (change === null) return;
    const range = change.range;
    if (change.reset && range === null) {
      // An autorange over the whole data: back in line with the others.
      const others = linkedRange(source);
      if (others) setTimeout(() => showRange(source, others, true));
    } else {
      // A zoom, or Plotly's reset to the range the server drew (the preset's): every chart follows it.
      setTimeout(() => graphIds().forEach((id) => showRange(id, range, id !== source)));
    }
    const wanted = change.reset ? null : { start: day(range[0]), end: day(range[1]) };
    if (JSON.stringify(wanted) === JSON.stringify(zoomHeld) || !zoomStore) return;
    zoomHeld = wanted;
    window.dash_clientside.set_props(zoomStore, { data: wanted });
  }

  // Hovering one chart shows the same day's hover label on the others (a shared crosshair), once per frame and
  // not while a button is held (a drag).
  function linkHover(source, hover) {
    const point = hover && hover.points && hover.points[0];
    if (!point || (hover.event && hover.event.buttons)) return;
    const x = dateMs(point.x);
    if (!Number.isFinite(x) || (source !== hoverFrom && x === hoverX)) return;
    hoverFrom = source;
    hoverX = x;
    clearHoverOnLeave(source);
    cancelAnimationFrame(hoverFrame);
    hoverFrame = requestAnimationFrame(() =>
      graphIds().filter((id) => id !== source).forEach((id) => {
        const div = plotDiv(id);
        if (div && div.calcdata) window.Plotly.Fx.hover(div, { xval: x }, "xy", true);
      }),
    );
  }

  // A chart's zoom events are handled here and not passed on: dcc.Graph would copy the new range into its figure
  // and redraw the chart once more with Plotly.react. Hovers are linked here, then passed on. True once the
  // chart's events are taken.
  function intercept(chart) {
    const div = plotDiv(chart.id);
    if (!div || !div.emit) return false;
    if (div.emit === div.riskonEmit) return true;
    const emit = div.emit;
    div.riskonEmit = function (event, data) {
      if (event === "plotly_relayout") return div.riskonQuiet ? undefined : linkZoom(chart.id, data);
      if (event === "plotly_hover") linkHover(chart.id, data);
      return emit.call(div, event, data);
    };
    div.emit = div.riskonEmit;
    return true;
  }

  // Show every axis the server put on the view's scale (layout.meta.scaled) on scale `kind`, refitted in its new
  // units, in one relayout.
  function showScale(id, kind) {
    const div = plotDiv(id);
    const scaled = div && div.layout && div.layout.meta && div.layout.meta.scaled;
    if (!scaled || !scaled.length || !div._fullLayout || !div.calcdata) return;
    const types = {};
    scaled.forEach((name) => (types[name] = kind));
    const update = yFit(div, ...div._fullLayout.xaxis.range.map(dateMs), types);
    scaled.forEach((name) => {
      update[name + ".type"] = kind;
      if (kind !== "log") update[name + ".dtick"] = null;
    });
    quietRelayout(div, update);
  }

  // A preset or scale the analyst picks is drawn at once from the traces the browser holds (one relayout per
  // chart), before Dash hears of it; the server then sends only charts whose traces cannot show it.
  let presetControl = null;
  let presetRanges = null;
  let scaleControl = null;
  const picked = (controlId, event) => {
    const control = controlId && document.getElementById(controlId);
    return Boolean(control && control.contains(event.target));
  };
  document.addEventListener(
    "change",
    (event) => {
      const range = picked(presetControl, event) && presetRanges && presetRanges[event.target.value];
      if (range) graphIds().forEach((id) => showRange(id, range, true));
      if (picked(scaleControl, event)) graphIds().forEach((id) => showScale(id, event.target.value));
    },
    true,
  );

  // Every chart's events, as soon as Plotly has set the chart up (dcc.Graph plots asynchronously, and plots anew
  // when its config changes); a pointer reaching a chart takes them too.
  function interceptAll(tries = 0) {
    const waiting = Array.from(document.querySelectorAll(".chart[id]")).filter((chart) => !intercept(chart));
    if (waiting.length && tries < 600) requestAnimationFrame(() => interceptAll(tries + 1));
  }
  ["pointerover", "pointerdown"].forEach((type) =>
    document.addEventListener(
      type,
      (event) => {
        const chart = event.target.closest && event.target.closest(".chart[id]");
        if (chart) intercept(chart);
      },
      true,
    ),
  );

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

  // The deferred places watched already (watchLazy), and what reaching for a place means.
  const lazyWatched = new WeakSet();
  const REACH = ["pointerover", "focusin", "touchstart"];

  // `act()` once `element` comes within `margin` (CSS, e.g. "100%") above or below the screen.
  function onceNear(element, margin, act) {
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        observer.disconnect();
        act();
      },
      { rootMargin: `${margin} 0px` },
    );
    observer.observe(element);
  }

  // A click (or Enter, Space) on what stands in for a part, while the part's code still loads, is not lost: once
  // the part is built its first control gets focus and the click.
  function passPressOn(place) {
    const lazy = place.querySelector(".lazy");
    let pressed = false;
    const press = (event) => {
      if (event.type === "click" || event.key === "Enter" || event.key === " ") pressed = true;
    };
    ["click", "keydown"].forEach((type) => place.addEventListener(type, press));
    const built = new MutationObserver(() => {
      const control = lazy.querySelector("input, button, [tabindex]");
      if (!control) return;
      built.disconnect();
      ["click", "keydown"].forEach((type) => place.removeEventListener(type, press));
      if (!pressed) return;
      control.focus();
      control.click();
    });
    built.observe(lazy, { childList: true, subtree: true });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    riskon: {
      // Keeps the zoom store's id and value for linkZoom, which sets it, and takes the charts' events whenever
      // the server has drawn them.
      watchCharts: function (zoom) {
        zoomStore = window.dash_clientside.callback_context.inputs_list[0].id;
        zoomHeld = zoom || null;
        interceptAll();
      },
      // Keeps each preset's range for the view as the server last gave it, for the preset control's clicks, and
      // the controls' ids.
      watchControls: function (ranges) {
        const states = window.dash_clientside.callback_context.states_list;
        presetControl = states[0].id;
        scaleControl = states[1].id;
        presetRanges = ranges || null;
      },
      // Parts built when the analyst comes to them (components/layout.py deferred), so that their code (the
      // date-picker and table bundles) loads, and the evidence graphs are computed (the study draws 10,000 placebo
      // samples), then and not with the page: a part's store is set once its place comes within its margin of the
      // screen (data-when="near") or the analyst reaches for it: pointer over, focus or touch, just before the
      // click (data-when="reach"). The server then builds it.
      watchLazy: function (wanted) {
        const stores = window.dash_clientside.callback_context.inputs_list[0];
        stores.forEach((store, i) => {
          const place = document.querySelector(`.deferred[data-part="${store.id.index}"]`);
          if (wanted[i] || !place || lazyWatched.has(place)) return;
          lazyWatched.add(place);
          const want = () => window.dash_clientside.set_props(store.id, { data: true });
          if (place.dataset.when === "reach") {
            const reached = () => {
              REACH.forEach((type) => place.removeEventListener(type, reached));
              want();
            };
            REACH.forEach((type) => place.addEventListener(type, reached, { passive: true }));
            passPressOn(place);
            return;
          }
          onceNear(place, place.dataset.margin, want);
        });
      },
      copyLink: function () {
        return window.location.href;
      },
    },
  });
})();
