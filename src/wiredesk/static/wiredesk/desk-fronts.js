// The desk's front editor: drag a slot among the slots of its kind to reorder them.
// Progressive enhancement only: the Move up / Move down buttons do the same without
// JavaScript. The new order is posted to the page's own address (the hidden #wd-reorder
// form carries the CSRF token); on a refusal the page reloads to show the truth.
(function () {
  "use strict";
  var table = document.getElementById("wd-slots");
  var form = document.getElementById("wd-reorder");
  if (!table || !form || !window.fetch) {
    return;
  }
  var status = document.getElementById("wd-reorder-status");
  var body = table.tBodies[0];
  var dragged = null;

  function rows() {
    return Array.prototype.slice.call(body.querySelectorAll("tr[data-slot]"));
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function send() {
    var data = new FormData(form);
    data.set("order", rows().map(function (row) { return row.dataset.slot; }).join(","));
    say("Saving the new order…");
    // getAttribute: the form's own "action" input shadows form.action.
    fetch(form.getAttribute("action"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      if (answer.ok) {
        say(answer.message);
      } else {
        say(answer.error);
        window.location.reload();
      }
    }).catch(function () {
      window.location.reload();
    });
  }

  rows().forEach(function (row) {
    if (row.dataset.kind === "top") {
      return;  // one top story: nothing to order
    }
    row.draggable = true;
    row.classList.add("wd-draggable");
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.slot);
      row.classList.add("wd-dragging");
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("wd-dragging");
      dragged = null;
    });
    row.addEventListener("dragover", function (event) {
      if (dragged && dragged !== row && dragged.dataset.kind === row.dataset.kind) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
      }
    });
    row.addEventListener("drop", function (event) {
      if (!dragged || dragged === row || dragged.dataset.kind !== row.dataset.kind) {
        return;
      }
      event.preventDefault();
      var box = row.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? row.nextSibling : row);
      send();
    });
  });
}());
