// Live Markdown preview beside each Markdown field in the admin. The server renders
// and sanitises (the same function as the public pages), so what you see is what
// readers get.
(function () {
  "use strict";
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function attach(preview) {
    var textarea = document.getElementById(preview.dataset.previewFor);
    if (!textarea) return;
    var timer = null;
    function render() {
      var body = new URLSearchParams();
      body.set("text", textarea.value);
      fetch(preview.dataset.previewUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString(),
        credentials: "same-origin",
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.error) { preview.textContent = data.error.message; } else { preview.innerHTML = data.html || ""; }
        })
        .catch(function () { /* keep the last preview */ });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 300);
    });
    render();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".md-preview[data-preview-for]").forEach(attach);
  });
})();
