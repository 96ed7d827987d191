/* termbase: small progressive enhancements. Every page works without this script.
 *
 * - live lookup: as you type, fetch the same URL with "HX-Request: true" and swap the results fragment;
 * - keyboard: "/" focuses the lookup box, arrows move through results, Esc clears;
 * - copy buttons beside terms and tokens;
 * - "select all" and j/k/x/a/r keys for the review queue and variant proposals, which come back
 *   at the next item after a decision; confirmation for destructive buttons;
 * - upload with a progress bar and the server's step-by-step report.
 */
(function () {
  "use strict";

  var PARTIAL_HEADER = "HX-Request";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // ---------------------------------------------------------------- live lookup
  function liveSearch(form) {
    var input = form.querySelector('input[type="search"]');
    var filters = form.querySelectorAll("select[name]");
    var results = document.getElementById("results");
    if (!input || !results || !window.fetch) { return; }
    var timer = null;
    var controller = null;
    var last = input.value;

    function url() {
      var params = new URLSearchParams();
      if (input.value.trim()) { params.set("q", input.value); }
      // Filters stay in the URL, so a lookup with filters can be bookmarked and shared.
      Array.prototype.forEach.call(filters, function (select) {
        if (select.value) { params.set(select.name, select.value); }
      });
      var query = params.toString();
      return form.getAttribute("action") + (query ? "?" + query : "");
    }

    function run() {
      var target = url();
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      results.setAttribute("aria-busy", "true");
      var headers = {};
      headers[PARTIAL_HEADER] = "true";
      fetch(target, { headers: headers, credentials: "same-origin", signal: controller ? controller.signal : undefined })
        .then(function (response) {
          if (!response.ok) { throw new Error("lookup failed: " + response.status); }
          return response.text();
        })
        .then(function (html) {
          // The fragment is rendered by our own templates with autoescaping on.
          results.innerHTML = html;
          results.setAttribute("aria-busy", "false");
          if (window.history && window.history.replaceState) { window.history.replaceState(null, "", target); }
          document.title = (input.value.trim() ? input.value.trim() + " — " : "") + "Lookup · termbase 术语库";
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") { return; }
          results.setAttribute("aria-busy", "false");
        });
    }

    function schedule() {
      if (input.value === last) { return; }
      last = input.value;
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 160);
    }

    input.addEventListener("input", schedule);
    // IME composition (pinyin input methods): wait until the characters are committed.
    input.addEventListener("compositionend", schedule);
    Array.prototype.forEach.call(filters, function (select) {
      select.addEventListener("change", function () { last = null; run(); });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      last = input.value;
      run();
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var first = results.querySelector("a.hit-link");
        if (first) { event.preventDefault(); first.focus(); }
      } else if (event.key === "Escape") {
        input.value = "";
        schedule();
      }
    });
    results.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
      var links = Array.prototype.slice.call(results.querySelectorAll("a.hit-link"));
      var index = links.indexOf(document.activeElement);
      if (index < 0) { return; }
      event.preventDefault();
      if (event.key === "ArrowDown" && index + 1 < links.length) { links[index + 1].focus(); }
      if (event.key === "ArrowUp") { if (index === 0) { input.focus(); } else { links[index - 1].focus(); } }
    });
    results.addEventListener("focusin", function (event) {
      var rows = results.querySelectorAll("tr.is-active");
      for (var i = 0; i < rows.length; i++) { rows[i].classList.remove("is-active"); }
      var row = event.target.closest ? event.target.closest("tr") : null;
      if (row) { row.classList.add("is-active"); }
    });
  }

  // ---------------------------------------------------------------- "/" goes to the lookup box
  function slashToSearch() {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) { return; }
      var box = document.getElementById("q");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      } else {
        window.location.href = document.querySelector(".brand").getAttribute("href");
      }
    });
  }

  // ---------------------------------------------------------------- copy buttons
  function copyButtons() {
    if (!navigator.clipboard) { return; }
    var items = document.querySelectorAll("[data-copy-text]");
    Array.prototype.forEach.call(items, function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy " + item.textContent.trim());
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(item.textContent.trim()).then(function () {
          button.textContent = "Copied";
          button.classList.add("copied");
          window.setTimeout(function () { button.textContent = "Copy"; button.classList.remove("copied"); }, 1500);
        });
      });
      item.insertAdjacentElement("afterend", button);
    });
  }

  // ---------------------------------------------------------------- review queue: select all
  function selectAll() {
    var toggles = document.querySelectorAll("[data-select-all]");
    Array.prototype.forEach.call(toggles, function (toggle) {
      var name = toggle.getAttribute("data-select-all");
      var form = toggle.form;
      toggle.addEventListener("change", function () {
        var boxes = form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
        Array.prototype.forEach.call(boxes, function (box) { box.checked = toggle.checked; });
      });
    });
  }

  // ---------------------------------------------------------------- review queue keyboard
  // j/k move between entries, x selects, a approves, r rejects, o opens the entry.
  function reviewKeys() {
    var list = document.querySelector(".review-list");
    if (!list) { return; }
    var items = Array.prototype.slice.call(list.querySelectorAll(".review-item"));
    items.forEach(function (item) { item.setAttribute("tabindex", "-1"); });
    function current() {
      var active = document.activeElement;
      return active && active.closest ? active.closest(".review-item") : null;
    }
    function move(step) {
      var index = items.indexOf(current());
      var next = items[Math.max(0, Math.min(items.length - 1, index < 0 ? 0 : index + step))];
      if (next) { next.focus(); next.scrollIntoView({ block: "nearest" }); }
    }
    function press(item, values) {
      for (var i = 0; i < values.length; i++) {
        var button = item && item.querySelector('button[name="one"][value$=":' + values[i] + '"]');
        if (button) { button.click(); return; }
      }
    }
    // After a decision the page comes back at the next item (the decided one leaves the list);
    // after a decision on one term, at the same item. The server adds the anchor to its redirect.
    var form = list.closest("form");
    var anchor = form && form.querySelector('input[name="anchor"]');
    if (anchor) {
      form.addEventListener("submit", function (event) {
        var submitter = event.submitter;
        var item = submitter && submitter.closest ? submitter.closest(".review-item") : null;
        if (!item) { anchor.value = ""; return; }
        if (submitter.hasAttribute("data-term-action")) { anchor.value = item.id; return; }
        var index = items.indexOf(item);
        var next = items[index + 1] || items[index - 1];
        anchor.value = next ? next.id : "";
      });
    }
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target && items.indexOf(target) >= 0) {
      target.focus();
      target.scrollIntoView({ block: "nearest" });
    }
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" && event.target.type !== "checkbox") { return; }
      if (tag === "textarea" || tag === "select") { return; }
      var item = current();
      if (event.key === "j") { event.preventDefault(); move(1); }
      else if (event.key === "k") { event.preventDefault(); move(-1); }
      else if (event.key === "x" && item) {
        var box = item.querySelector('input[name="ids"]');
        if (box) { event.preventDefault(); box.checked = !box.checked; }
      }
      else if (event.key === "a" && item) { event.preventDefault(); press(item, ["approved", "accepted"]); }
      else if (event.key === "r" && item) { event.preventDefault(); press(item, ["rejected"]); }
      else if (event.key === "o" && item) {
        var link = item.querySelector("h2 a");
        if (link) { event.preventDefault(); link.click(); }
      }
    });
  }

  // ---------------------------------------------------------------- confirm destructive actions
  function confirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var message = form.getAttribute && form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) { event.preventDefault(); }
    }, true);
  }

  // ---------------------------------------------------------------- ctrl+enter submits textareas
  function ctrlEnter() {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.tagName === "TEXTAREA" && event.target.form) {
        event.preventDefault();
        if (event.target.form.requestSubmit) { event.target.form.requestSubmit(); } else { event.target.form.submit(); }
      }
    });
  }

  // ---------------------------------------------------------------- upload with progress
  function upload(form) {
    var output = document.getElementById("upload-output");
    var bar = form.querySelector("progress");
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector(".dropzone");
    if (!output || !bar || !window.XMLHttpRequest || !window.FormData) { return; }
    if (zone && input) {
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) { input.files = event.dataTransfer.files; }
      });
    }
    form.addEventListener("submit", function (event) {
      if (!input.files || !input.files.length) { return; }
      event.preventDefault();
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      var label = document.getElementById("upload-progress-label");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader(PARTIAL_HEADER, "true");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          if (label) { label.textContent = "Sending files: " + bar.value + "%"; }
        }
      });
      xhr.upload.addEventListener("load", function () {
        if (label) { label.textContent = "Files sent; reading and extracting…"; }
      });
      // The server streams its steps; show them as they arrive.
      xhr.addEventListener("progress", function () { output.innerHTML = xhr.responseText; });
      xhr.addEventListener("loadend", function () {
        output.innerHTML = xhr.responseText || '<p class="error-text">The upload failed (status ' + xhr.status + ").</p>";
        button.disabled = false;
        bar.hidden = true;
        if (label) { label.textContent = ""; }
        output.focus();
      });
      xhr.send(new FormData(form));
    });
  }

  ready(function () {
    var search = document.querySelector("form[data-live-search]");
    if (search) { liveSearch(search); }
    var uploader = document.querySelector("form[data-upload]");
    if (uploader) { upload(uploader); }
    slashToSearch();
    copyButtons();
    selectAll();
    reviewKeys();
    confirmations();
    ctrlEnter();
  });
})();
