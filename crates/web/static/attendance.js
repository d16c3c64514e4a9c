// Attendance without reloading the page: the same forms and POST endpoints
// as without JavaScript, sent with fetch; the server answers JSON when asked
// for it, and the row (or every row, for "alla närvarande") is updated in
// place; a refusal is shown in the same status line.
(function () {
  "use strict";
  var table = document.getElementById("attendees");
  var status = document.getElementById("att-status");
  if (!table || !window.fetch || !window.FormData) return;

  function say(text, isError) {
    if (!status) return;
    status.textContent = "";
    var p = document.createElement("p");
    p.className = isError ? "error" : "notice";
    p.setAttribute("role", isError ? "alert" : "status");
    p.textContent = text;
    status.appendChild(p);
  }

  function show(personId, state, label) {
    var row = table.querySelector("tr[data-person='" + personId + "']");
    if (!row) return;
    var cell = row.querySelector(".att-state");
    if (cell) cell.textContent = label;
    var buttons = row.querySelectorAll("button[name=present]");
    Array.prototype.forEach.call(buttons, function (b) {
      var on = (b.value === "1" && state === "attended") || (b.value === "0" && state === "absent");
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(data),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": document.body.dataset.csrf || "" }
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error || "fel");
        return body;
      });
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var single = form.classList.contains("js-mark");
    var all = form.classList.contains("js-mark-all");
    if (!single && !all) return;
    e.preventDefault();
    var submitter = e.submitter || document.activeElement;
    var buttons = form.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    send(form, submitter)
      .then(function (body) {
        if (single) show(body.person_id, body.status, body.label);
        if (all) body.people.forEach(function (p) { show(p.person_id, p.status, p.label); });
        say(body.message, false);
      })
      .catch(function (err) { say(err.message, true); })
      .then(function () {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        if (submitter && submitter.focus) submitter.focus();
      });
  });
})();
