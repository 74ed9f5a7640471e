// Session end without lost work (no inline script: CSP).
//
// 1. A warning a few minutes before the session ends (data-session-* on <body>, from
//    socialdomain.context_processors.session_timeout), with "stay signed in": a POST that renews
//    the session. Activity through htmx renews it on the server as well, so the clock restarts.
// 2. What is typed into a form is kept in sessionStorage (never localStorage: phones are shared
//    and the text is about health and debts): per signed-in user and page, cleared at sign-out,
//    when the tab closes, and once the form was saved. Posted after the session ended, the form
//    comes back filled in after signing in again.
(function () {
  "use strict";
  var body = document.body;
  var PREFIX = "wijkwerk-draft:";
  var MAX_AGE_MS = 8 * 60 * 60 * 1000;
  var user = body.getAttribute("data-user");
  var loginUrl = body.getAttribute("data-login-url") || "/accounts/login/";

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage blocked: nothing is kept, nothing breaks
    }
  }
  var store = storage();

  function draftKeys() {
    var keys = [];
    if (!store) return keys;
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) keys.push(key);
    }
    return keys;
  }

  function read(key) {
    try {
      return JSON.parse(store.getItem(key));
    } catch (error) {
      return null;
    }
  }

  // --- drafts ------------------------------------------------------------------------------
  var KEPT = 'input:not([type=hidden]):not([type=password]):not([type=file]):not([type=submit]):not([type=button]), textarea, select';

  function keptForm(form) {
    if (form.method.toLowerCase() !== "post") return false;
    if (form.hasAttribute("data-logout") || form.classList.contains("lang-switch")) return false;
    if (form.hasAttribute("data-no-draft")) return false;
    return !!form.querySelector("textarea, input[type=text], input:not([type])");
  }

  function formKey(form, index) {
    return PREFIX + user + ":" + window.location.pathname + ":" + (form.id || index);
  }

  function snapshot(form) {
    var fields = {};
    form.querySelectorAll(KEPT).forEach(function (field) {
      if (!field.name) return;
      if (field.type === "checkbox" || field.type === "radio") {
        fields[field.name + "=" + field.value] = field.checked;
      } else if (field.multiple) {
        fields[field.name] = Array.prototype.filter
          .call(field.options, function (option) { return option.selected; })
          .map(function (option) { return option.value; });
      } else {
        fields[field.name] = field.value;
      }
    });
    return fields;
  }

  function restore(form, fields) {
    var changed = false;
    form.querySelectorAll(KEPT).forEach(function (field) {
      if (!field.name) return;
      if (field.type === "checkbox" || field.type === "radio") {
        var key = field.name + "=" + field.value;
        if (key in fields && field.checked !== fields[key]) {
          field.checked = fields[key];
          changed = true;
        }
      } else if (field.name in fields) {
        var value = fields[field.name];
        if (field.multiple && Array.isArray(value)) {
          Array.prototype.forEach.call(field.options, function (option) {
            option.selected = value.indexOf(option.value) !== -1;
          });
          changed = true;
        } else if (field.value !== value) {
          field.value = value;
          changed = true;
        }
      }
    });
    return changed;
  }

  function fromLogin() {
    if (!document.referrer) return false;
    try {
      return new URL(document.referrer).pathname === new URL(loginUrl, window.location.href).pathname;
    } catch (error) {
      return false;
    }
  }

  function startDrafts() {
    if (!store) return;
    var now = Date.now();
    var returning = fromLogin();
    // another person signed in on this tab, an old draft, or a form saved since: gone
    draftKeys().forEach(function (key) {
      var draft = read(key);
      var mine = key.indexOf(PREFIX + user + ":") === 0;
      var here = mine && key.split(":")[2] === window.location.pathname;
      if (!draft || !mine || now - draft.at > MAX_AGE_MS || (draft.posted && !here && !returning)) {
        store.removeItem(key);
      }
    });
    var restored = false;
    document.querySelectorAll("form").forEach(function (form, index) {
      if (!keptForm(form)) return;
      var key = formKey(form, index);
      var draft = read(key);
      if (draft && returning && restore(form, draft.fields)) restored = true;
      else if (draft && draft.posted && !returning) store.removeItem(key); // saved: back here
      var save = function () {
        try {
          store.setItem(key, JSON.stringify({ at: Date.now(), fields: snapshot(form) }));
        } catch (error) { /* storage full: keep going without */ }
      };
      form.addEventListener("input", save);
      form.addEventListener("change", save);
      form.addEventListener("submit", function () {
        try {
          store.setItem(key, JSON.stringify({ at: Date.now(), posted: true, fields: snapshot(form) }));
        } catch (error) { /* as above */ }
      });
      // an htmx form that was saved (2xx, not the login page) needs no draft any more
      form.addEventListener("htmx:afterRequest", function (event) {
        var xhr = event.detail && event.detail.xhr;
        if (event.detail.successful && xhr && xhr.responseURL.indexOf(loginUrl) === -1) {
          store.removeItem(key);
        }
      });
    });
    if (restored) {
      var notice = document.querySelector("[data-draft-restored]");
      if (notice) notice.hidden = false;
    }
  }

  function clearDrafts() {
    draftKeys().forEach(function (key) { store.removeItem(key); });
  }

  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", clearDrafts);
  });

  if (!user) return; // the login page and other pages for nobody signed in: keep the drafts
  startDrafts();

  // --- the warning -----------------------------------------------------------------------------
  var dialog = document.getElementById("session-warning");
  var seconds = parseInt(body.getAttribute("data-session-seconds"), 10);
  var warnBefore = parseInt(body.getAttribute("data-session-warn"), 10);
  var extendUrl = body.getAttribute("data-session-extend-url");
  if (!dialog || isNaN(seconds) || isNaN(warnBefore) || !extendUrl) return;
  var countdown = dialog.querySelector("[data-session-countdown]");
  var stay = dialog.querySelector("[data-session-stay]");
  var endsAt = Date.now() + seconds * 1000;
  var returnFocus = null;
  var ended = false;

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function show() {
    if (!dialog.hidden) return;
    returnFocus = document.activeElement;
    dialog.hidden = false;
    stay.focus();
  }

  function hide() {
    dialog.hidden = true;
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
  }

  function signedOut() {
    ended = true;
    dialog.querySelector("[data-session-running]").hidden = true;
    dialog.querySelector("[data-session-ended]").hidden = false;
    stay.hidden = true;
    var login = dialog.querySelector("[data-session-login]");
    login.hidden = false;
    dialog.hidden = false;
    login.focus();
  }

  function tick() {
    if (ended) return;
    var left = Math.round((endsAt - Date.now()) / 1000);
    if (left <= 0) return signedOut();
    if (left <= warnBefore) {
      var minutes = Math.floor(left / 60);
      var rest = left % 60;
      countdown.textContent = minutes + ":" + (rest < 10 ? "0" : "") + rest;
      show();
    }
  }

  stay.addEventListener("click", function () {
    fetch(extendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401) return signedOut();
        if (!response.ok) return;
        return response.json().then(function (data) {
          endsAt = Date.now() + data.seconds_left * 1000;
          hide();
        });
      })
      .catch(function () { /* offline: the countdown goes on; try again */ });
  });

  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !ended) stay.click();
  });

  // htmx requests are activity: the server renewed the session (at most a minute ago)
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.responseURL.indexOf(loginUrl) !== -1) return signedOut();
    if (event.detail.successful) {
      endsAt = Math.max(endsAt, Date.now() + (seconds - 60) * 1000);
    }
  });

  window.setInterval(tick, 1000);
  tick();
})();
