// The queue refreshes itself: it asks every few seconds whether any ticket or alert changed,
// and only then fetches the rows again (rendered and escaped by the server).
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  if (!queue) { return; }
  var every = Number(queue.dataset.refreshMs || 3000);

  function refresh() {
    fetch("/dashboard/queue/version", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || data.version === queue.dataset.version) { return null; }
        return fetch("/dashboard/queue/rows?" + queue.dataset.query, {
          headers: { Accept: "application/json" }, credentials: "same-origin"
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (rows) {
          if (!rows) { return; }
          queue.innerHTML = rows.rows;
          queue.dataset.version = rows.version;
        });
      })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(function () { setTimeout(refresh, every); });
  }
  setTimeout(refresh, every);
})();
