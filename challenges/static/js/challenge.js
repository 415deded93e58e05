// The challenge pages' small behaviours; the pages work without them.
// - countdowns (countdown.js) restart on content htmx swaps in;
// - "Submit predictions" focuses the file box once the Submissions tab is shown;
// - the file box shows the chosen file and takes a dropped one;
// - before an upload, the file is checked in the browser against the challenge's spec
//   (filecheck.js, when present): problems are shown above the form and block the upload.
//   The server's check still decides; this only saves a student a wasted try.
(function () {
  "use strict";

  // "Submit predictions": once the tab is in place, the file box has the focus.
  var focusUpload = false;
  function focusFileBox() {
    var input = document.getElementById("id_file");
    if (!input) return;
    input.focus({ preventScroll: true });
    var form = document.getElementById("upload-form");
    if (form) form.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-focus-upload]");
    if (!button) return;
    if (document.getElementById("id_file") && window.location.pathname === new URL(button.href).pathname) {
      event.preventDefault();
      event.stopPropagation();
      focusFileBox();
      return;
    }
    focusUpload = true;
  }, true);
  document.addEventListener("htmx:afterSettle", function () {
    if (focusUpload) { focusUpload = false; focusFileBox(); }
    if (window.vsegraderCountdown) window.vsegraderCountdown();
  });

  // The file box.
  function showChosen(input) {
    var box = input.closest(".dropbox");
    if (!box) return;
    var name = box.querySelector("[data-file-name]");
    var file = input.files && input.files[0];
    box.classList.toggle("chosen", !!file);
    if (name) name.textContent = file ? file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)" : "";
  }
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var box = event.target.closest && event.target.closest(".dropbox");
      if (box) box.classList.add("dragover");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var box = event.target.closest && event.target.closest(".dropbox");
      if (box) box.classList.remove("dragover");
    });
  });

  // The check in the browser.
  var specs = {};
  function specFor(form) {
    var url = form.dataset.specUrl;
    if (!url) return Promise.resolve(null);
    if (!specs[url]) {
      specs[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; });
    }
    return specs[url];
  }

  function checkFile(form, file) {
    var checker = window.vsegraderFileCheck;
    if (!checker || !file) return Promise.resolve({ problems: [], hints: [] });
    return specFor(form).then(function (spec) {
      if (!spec) return { problems: [], hints: [] };
      return checker.checkFile(file, spec);
    }).catch(function (error) {
      console.warn("The file check in the browser failed; the server will check the file.", error);
      return { problems: [], hints: [] };
    });
  }

  function showProblems(form, result) {
    var box = form.querySelector("#upload-problems");
    if (!box) return;
    var problems = (result && result.problems) || [], hints = (result && result.hints) || [];
    box.replaceChildren();
    box.hidden = problems.length === 0;
    if (!problems.length) return;
    var title = document.createElement("p");
    title.textContent = "This file would be refused, so it was not uploaded (it did not use a submission):";
    var list = document.createElement("ul");
    problems.concat(hints).forEach(function (text, index) {
      var item = document.createElement("li");
      item.textContent = text;
      if (index >= problems.length) item.className = "muted";
      list.appendChild(item);
    });
    box.append(title, list);
    box.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.id !== "id_file") return;
    showChosen(input);
    var form = input.form;
    delete form.dataset.checked;
    checkFile(form, input.files[0]).then(function (result) { showProblems(form, result); });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "upload-form") return;
    var input = form.querySelector("#id_file");
    var button = form.querySelector("button[type=submit]");
    if (form.dataset.checked === "ok" || !window.vsegraderFileCheck) {
      if (button) { button.disabled = true; button.textContent = "Uploading…"; }
      return;
    }
    event.preventDefault();
    checkFile(form, input && input.files[0]).then(function (result) {
      showProblems(form, result);
      if (result.problems && result.problems.length) return;
      form.dataset.checked = "ok";
      if (button) { button.disabled = true; button.textContent = "Uploading…"; }
      form.submit();
    });
  });

})();
