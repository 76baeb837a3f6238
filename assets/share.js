// Sharing from a phone and a title that follows the view: the copy-link control opens the system share sheet
// where the browser has the Web Share API (copying stays the fallback), and document.title names the view.
(function () {
  // Capture phase on the document runs before React's own listener, so a share replaces the copy.
  document.addEventListener(
    "click",
    function (event) {
      const control = event.target.closest && event.target.closest(".copy-link");
      if (!control || typeof navigator.share !== "function") return;
      const data = { title: document.title, url: window.location.href };
      if (typeof navigator.canShare === "function" && !navigator.canShare(data)) return;
      event.preventDefault();
      event.stopPropagation();
      navigator.share(data).catch(function () {
        // The analyst closed the share sheet, or sharing is not allowed here: nothing to do.
      });
    },
    true,
  );

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    riskonShare: {
      setTitle: function (title) {
        if (title) document.title = title;
      },
    },
  });
})();
