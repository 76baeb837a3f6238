// Phones: sharing, a title that follows the view, and charts that let the page scroll.
(function () {
  // Copy link (its icon or its words) opens the system share sheet where the browser has the Web Share API;
  // copying stays the fallback.
  // Capture phase on the document runs before React's own listener, so a share replaces the copy.
  document.addEventListener(
    "click",
    function (event) {
      const control = event.target.closest && event.target.closest(".copy-link");
      if (!control) return;
      const data = { title: document.title, url: window.location.href };
      const shares = typeof navigator.share === "function";
      if (!shares || (typeof navigator.canShare === "function" && !navigator.canShare(data))) {
        // The words beside the icon copy too: only the icon (dcc.Clipboard) listens for clicks.
        const icon = control.querySelector("#copy-link");
        if (icon && !icon.contains(event.target)) icon.click();
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      navigator.share(data).catch(function () {
        // The analyst closed the share sheet, or sharing is not allowed here: nothing to do.
      });
    },
    true,
  );

  // Plotly cancels every touch that starts on a chart, so a phone could not scroll a page made of charts. Hold a
  // touch back from Plotly until it shows its intent: vertical -> the browser scrolls the page; sideways -> Plotly
  // gets the touch (zoom, linked by clientside.js); a tap -> Plotly gets it too (hover, double-tap reset).
  const SLOP = 8; // px of movement before a touch counts as a swipe
  const forwarded = new WeakSet();
  let held = null; // {target, start: TouchEvent, x, y}

  function forward(touch) {
    const event = new TouchEvent("touchstart", {
      bubbles: true,
      cancelable: true,
      composed: true,
      touches: Array.from(touch.start.touches),
      targetTouches: Array.from(touch.start.targetTouches),
      changedTouches: Array.from(touch.start.changedTouches),
    });
    forwarded.add(event);
    touch.target.dispatchEvent(event);
  }

  document.addEventListener(
    "touchstart",
    function (event) {
      if (forwarded.has(event) || event.touches.length !== 1) return;
      const target = event.target.closest && event.target.closest(".js-plotly-plot .draglayer .drag");
      if (!target) return;
      event.stopPropagation();
      held = { target: target, start: event, x: event.touches[0].clientX, y: event.touches[0].clientY };
    },
    { capture: true, passive: true },
  );
  document.addEventListener(
    "touchmove",
    function (event) {
      if (!held) return;
      const dx = Math.abs(event.touches[0].clientX - held.x);
      const dy = Math.abs(event.touches[0].clientY - held.y);
      if (Math.max(dx, dy) < SLOP) return;
      const touch = held;
      held = null;
      if (dx > dy) forward(touch);
    },
    { capture: true, passive: true },
  );
  document.addEventListener(
    "touchend",
    function () {
      if (!held) return;
      const touch = held;
      held = null;
      forward(touch); // a tap: Plotly sees its start now and this end next
    },
    { capture: true, passive: true },
  );
  document.addEventListener(
    "touchcancel",
    function () {
      held = null;
    },
    { capture: true, passive: true },
  );

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    riskonShare: {
      setTitle: function (title) {
        if (title) document.title = title;
      },
    },
  });
})();
