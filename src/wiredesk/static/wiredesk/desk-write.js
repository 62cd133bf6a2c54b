// The writing view's toolbar: buttons that type the body's Markdown around the
// selection. Progressive enhancement only: without it the editor types the same marks.
(function () {
  "use strict";
  var body = document.getElementById("id_body");
  if (!body) { return; }
  var marks = [
    ["Bold", "**", "**", "bold words"],
    ["Italic", "*", "*", "italic words"],
    ["Link", "[", "](https://)", "linked words"],
    ["List", "\n- ", "", "an item"],
    ["Quote", "\n> ", "", "quoted words"],
    ["Subhead", "\n## ", "\n", "Subhead"]
  ];
  var bar = document.createElement("div");
  bar.className = "wd-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Formatting");
  marks.forEach(function (mark) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = mark[0];
    button.addEventListener("click", function () {
      var start = body.selectionStart, end = body.selectionEnd;
      var chosen = body.value.slice(start, end) || mark[3];
      body.setRangeText(mark[1] + chosen + mark[2], start, end, "end");
      body.focus();
      body.setSelectionRange(start + mark[1].length, start + mark[1].length + chosen.length);
    });
    bar.appendChild(button);
  });
  body.parentNode.insertBefore(bar, body);
})();
