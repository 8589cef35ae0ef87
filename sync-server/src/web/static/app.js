// Live updates. The server sends, over Server-Sent Events, the id of each record that changed
// and that this user may read. A page marked data-live="page" (lists, today) refreshes its
// main part on any change; a record page (data-live="<id>") only on its own. A page with text
// typed into a form is not replaced: a banner offers the reload instead.
(function () {
  "use strict";
  var live = document.body.dataset.live;
  var region = document.getElementById("live");
  var banner = document.getElementById("live-banner");
  if (!live || !region || !window.EventSource) return;
  var timer = null;
  function typing() {
    var fields = region.querySelectorAll("textarea, input[type=text], input:not([type])");
    return Array.prototype.some.call(fields, function (el) {
      return el.value !== "" || el === document.activeElement;
    });
  }
  function refresh() {
    timer = null;
    if (typing()) { banner.hidden = false; return; }
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        if (!fresh) { banner.hidden = false; return; }
        region.innerHTML = fresh.innerHTML;
        region.dataset.refreshed = String(Number(region.dataset.refreshed || 0) + 1);
      })
      .catch(function () { banner.hidden = false; });
  }
  function soon() { if (!timer) timer = setTimeout(refresh, 200); }
  var events = new EventSource("/events");
  events.onopen = function () { document.body.dataset.sse = "open"; };
  events.addEventListener("change", function (e) {
    if (live === "page" || live === e.data) soon();
  });
  events.addEventListener("reload", soon);
})();
