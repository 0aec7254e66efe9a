/* Warning before the automatic logoff (HIPAA 45 CFR 164.312(a)(2)(iii); OWASP ASVS 4.0.3 3.3.2).
 *
 * The server ends an idle session by itself (posc/middleware.py IdleLogoffMiddleware); this
 * script only tells the user in time and takes the page away when the time is up. It reads
 * the numbers from the data-idle-* attributes of <dialog id="idle-warning">
 * (templates/includes/idle_warning.html): no inline script, as the Content Security Policy
 * allows none.
 *
 * - data-idle-left seconds after the page was served the server logs off, unless a request
 *   comes first; data-idle-warning seconds before that the <dialog id="idle-warning"> opens,
 *   its "Stay signed in" button focused.
 * - "Stay signed in" (or closing the dialog with Escape) POSTs to the keep-alive URL; a 204
 *   restarts the full data-idle-timeout. Any other answer means the session is gone.
 * - A key press or click on the page is activity the server cannot see: it is sent as the
 *   same keep-alive request, at most once a minute (the server, too, records activity at
 *   most once a minute), so that someone typing a long form is not logged off.
 * - At the end the page goes to the login page (next = this page). If another tab kept the
 *   session alive, the login page sends the user straight back here.
 */
(function () {
  "use strict";
  var dialog = document.getElementById("idle-warning");
  if (!dialog) {
    return;
  }
  var data = dialog.dataset;
  var SECOND = 1000;
  var REFRESH_AFTER = 60 * SECOND;
  var GRACE = 2 * SECOND;  // end just after the server's own deadline, never just before it
  var timeout = Number(data.idleTimeout) * SECOND;
  var warning = Number(data.idleWarning) * SECOND;
  var keepAliveUrl = data.idleKeepAlive;
  var loginUrl = data.idleLogin;
  var timers = [];
  var ended = false;
  // When the server last recorded activity, by this page's clock.
  var recorded = Date.now() - (timeout - Number(data.idleLeft) * SECOND);

  function schedule(left) {
    timers.forEach(clearTimeout);
    timers = [setTimeout(warn, Math.max(0, left - warning)), setTimeout(end, left + GRACE)];
  }

  function warn() {
    if (!dialog.open) {
      dialog.showModal();  // moves the focus to the autofocus button
    }
  }

  function end() {
    ended = true;
    timers.forEach(clearTimeout);
    window.location.assign(loginUrl + "?next=" +
                           encodeURIComponent(window.location.pathname + window.location.search));
  }

  function csrfToken() {
    // The CSRF cookie is HttpOnly; every signed-in page carries the token in its logout form.
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function keepAlive() {
    recorded = Date.now();
    return fetch(keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",  // a redirect means the server has logged the session off
      headers: {"X-CSRFToken": csrfToken()}
    }).then(function (response) {
      if (response.status === 204) {
        schedule(timeout);
      } else {
        end();
      }
    }, function () {
      // Network failure: the timers run on; the server decides at the next request.
    });
  }

  function activity() {
    if (!ended && !dialog.open && Date.now() - recorded >= REFRESH_AFTER) {
      keepAlive();
    }
  }

  dialog.querySelector("[data-idle-stay]").addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("close", function () {
    if (!ended) {
      keepAlive();
    }
  });
  ["keydown", "pointerdown"].forEach(function (type) {
    document.addEventListener(type, activity, {capture: true, passive: true});
  });
  schedule(Number(data.idleLeft) * SECOND);
}());
