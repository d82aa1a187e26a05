// Tollgate console: live inbox (server-sent events) and expiry countdowns. No inline script:
// the Content-Security-Policy allows only this file.
(function () {
  'use strict';

  function until(ms) {
    var s = Math.floor((ms - Date.now()) / 1000);
    if (s <= 0) { return 'expired'; }
    if (s < 60) { return s + 's'; }
    if (s < 3600) { return Math.floor(s / 60) + 'm ' + (s % 60) + 's'; }
    return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
  }

  function tick() {
    var els = document.querySelectorAll('[data-expires]');
    for (var i = 0; i < els.length; i++) {
      els[i].textContent = until(Number(els[i].getAttribute('data-expires')));
    }
  }

  function start() {
    setInterval(tick, 1000);
    var inbox = document.getElementById('inbox');
    var live = document.getElementById('live');
    if (!inbox || !window.EventSource) { return; }
    var body = inbox.querySelector('tbody');
    function refresh() {
      fetch(inbox.getAttribute('data-src'), { credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.text(); })
        .then(function (html) {
          // Rows are rendered (and escaped) by the server.
          body.innerHTML = html;
          tick();
        })
        .catch(function () { if (live) { live.textContent = 'Could not refresh: reload the page.'; } });
    }
    var events = new EventSource('/console/events');
    events.addEventListener('open', function () {
      document.body.classList.add('live-on');
      document.body.setAttribute('data-live', 'on');
      if (live) { live.textContent = 'Live: new approvals appear here as they arrive.'; }
      refresh();
    });
    events.addEventListener('approval', refresh);
    events.addEventListener('error', function () {
      document.body.classList.remove('live-on');
      document.body.setAttribute('data-live', 'off');
      if (live) { live.textContent = 'Live updates interrupted; reconnecting…'; }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
