// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var body = document.body;

  // Idle timeout: warn five minutes before the server logs the user out,
  // and offer to stay logged in.
  if (body.dataset.loggedIn === "1") {
    var timeout = parseInt(body.dataset.idleTimeout || "1800", 10) * 1000;
    var warnAt = Math.max(timeout - 5 * 60 * 1000, timeout / 2);
    var dialog = document.getElementById("idle-warning");
    var timer;
    var arm = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (dialog && dialog.showModal && !dialog.open) dialog.showModal();
      }, warnAt);
    };
    var stay = document.getElementById("idle-stay");
    if (stay) {
      stay.addEventListener("click", function () {
        fetch("/session/keepalive", {
          method: "POST",
          headers: { "X-CSRF-Token": body.dataset.csrf },
          credentials: "same-origin"
        }).then(function (r) {
          if (dialog) dialog.close();
          if (r.status === 401) window.location.reload();
          arm();
        });
      });
    }
    arm();
  }

  // Keep what the user types: drafts of forms marked data-draft are saved in
  // this tab's sessionStorage and restored if the page is shown again (for
  // example after logging in again). A successful save clears the draft.
  var forms = document.querySelectorAll("form[data-draft]");
  Array.prototype.forEach.call(forms, function (form) {
    var key = "navet-draft:" + location.pathname + ":" + form.getAttribute("action");
    var hasErrors = document.querySelector(".error-summary");
    try {
      var saved = JSON.parse(sessionStorage.getItem(key) || "null");
      if (saved && !hasErrors) {
        Object.keys(saved).forEach(function (name) {
          var el = form.elements[name];
          if (!el || name === "_csrf" || el.type === "password" || el.type === "file") return;
          if (el.type === "checkbox") el.checked = !!saved[name];
          else if (el.length && el[0] && el[0].type === "radio") {
            Array.prototype.forEach.call(el, function (r) { r.checked = r.value === saved[name]; });
          } else el.value = saved[name];
        });
      }
    } catch (e) { /* a broken draft is ignored */ }
    var save = function () {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "_csrf" || el.type === "password" || el.type === "file") return;
        if (el.type === "checkbox") data[el.name] = el.checked;
        else if (el.type === "radio") { if (el.checked) data[el.name] = el.value; }
        else data[el.name] = el.value;
      });
      try { sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full */ }
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  });
  // A page that says "saved" means the draft has done its job.
  if (document.querySelector(".notice[role=status]")) {
    Object.keys(sessionStorage).forEach(function (k) {
      if (k.indexOf("navet-draft:") === 0) sessionStorage.removeItem(k);
    });
  }

  // Move focus to the error summary so screen readers hear it first.
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) summary.focus();
})();
