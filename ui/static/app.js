// searchdesk: small progressive enhancements. Every page works without
// this file; it adds keyboard shortcuts, completion in the query bar, the
// Markdown preview and the theme switch.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";

  // --- theme
  var root = document.documentElement;
  var saved = localStorage.getItem("sd-theme");
  if (saved) root.setAttribute("data-theme", saved);
  document.querySelectorAll("[data-theme-toggle]").forEach(function (b) {
    b.addEventListener("click", function () {
      var dark = root.getAttribute("data-theme") === "dark" ||
        (!root.getAttribute("data-theme") && matchMedia("(prefers-color-scheme: dark)").matches);
      var next = dark ? "light" : "dark";
      root.setAttribute("data-theme", next);
      localStorage.setItem("sd-theme", next);
    });
  });

  // --- results: j/k move, o/Enter open, x select, e close selected, a assign
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.results tbody tr"));
  var cur = rows.length ? 0 : -1;
  function mark() {
    rows.forEach(function (r, i) { r.classList.toggle("cur", i === cur); });
    if (cur >= 0) {
      rows[cur].scrollIntoView({ block: "nearest" });
      var link = rows[cur].querySelector("a.open");
      if (link) link.focus({ preventScroll: true });
    }
  }
  if (rows.length) mark();
  rows.forEach(function (r, i) { r.addEventListener("click", function () { cur = i; mark(); }); });

  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function submitBulk(field, value) {
    var form = document.getElementById("bulk");
    if (!form) return;
    if (!form.querySelector("input[name=id]:checked") && cur >= 0) {
      var box = rows[cur].querySelector("input[name=id]");
      if (box) box.checked = true;
    }
    var sel = form.querySelector("[name=" + field + "]");
    if (sel) sel.value = value;
    form.submit();
  }
  var help = document.getElementById("shortcuts");
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    var q = document.getElementById("q");
    switch (e.key) {
      case "/":
        if (q) { e.preventDefault(); q.focus(); q.select(); }
        break;
      case "j":
        if (rows.length) { cur = Math.min(cur + 1, rows.length - 1); mark(); }
        break;
      case "k":
        if (rows.length) { cur = Math.max(cur - 1, 0); mark(); }
        break;
      case "o":
      case "Enter":
        if (cur >= 0) { var a = rows[cur].querySelector("a.open"); if (a) { e.preventDefault(); location.href = a.href; } }
        break;
      case "x":
        if (cur >= 0) { var b = rows[cur].querySelector("input[name=id]"); if (b) b.checked = !b.checked; }
        break;
      case "e":
        submitBulk("status", "closed");
        break;
      case "a":
        var as = document.querySelector("#bulk [name=assignee]");
        if (as) { e.preventDefault(); as.focus(); }
        break;
      case "?":
        if (help && help.showModal) help.showModal();
        break;
    }
  });

  // --- completion in the query bar: field names, then values
  var q = document.getElementById("q");
  var list = document.getElementById("q-complete");
  if (q && list) {
    var fields = (q.getAttribute("data-fields") || "").split(" ").filter(Boolean);
    var values = {};
    try { values = JSON.parse(q.getAttribute("data-values") || "{}"); } catch (err) { values = {}; }
    var shown = [], pick = -1;
    function lastWord() {
      var v = q.value.slice(0, q.selectionStart);
      var m = v.match(/(^|\s|\()(-?)([^\s()]*)$/);
      return m ? { start: v.length - m[3].length, word: m[3] } : { start: v.length, word: "" };
    }
    function render() {
      list.innerHTML = "";
      shown.forEach(function (s, i) {
        var li = document.createElement("li");
        li.textContent = s;
        li.setAttribute("role", "option");
        if (i === pick) li.className = "on";
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); accept(s); });
        list.appendChild(li);
      });
      list.hidden = shown.length === 0;
    }
    function suggest() {
      var lw = lastWord(), w = lw.word.toLowerCase();
      shown = []; pick = -1;
      if (!w) { render(); return; }
      var colon = w.indexOf(":");
      if (colon < 0) {
        fields.forEach(function (f) { if (f.indexOf(w) === 0 && f !== w) shown.push(f + ":"); });
      } else {
        var f = w.slice(0, colon), pre = w.slice(colon + 1);
        (values[f] || []).forEach(function (v) {
          if (v.toLowerCase().indexOf(pre) === 0) shown.push(f + ":" + (/[\s,"()]/.test(v) ? '"' + v + '"' : v));
        });
      }
      shown = shown.slice(0, 8);
      render();
    }
    function accept(s) {
      var lw = lastWord(), rest = q.value.slice(q.selectionStart);
      q.value = q.value.slice(0, lw.start) + s + (s.slice(-1) === ":" ? "" : " ") + rest;
      var pos = lw.start + s.length + (s.slice(-1) === ":" ? 0 : 1);
      q.setSelectionRange(pos, pos);
      shown = []; render();
      if (s.slice(-1) === ":") suggest();
    }
    q.addEventListener("input", suggest);
    q.addEventListener("blur", function () { shown = []; render(); });
    q.addEventListener("keydown", function (e) {
      if (!shown.length) return;
      if (e.key === "ArrowDown") { e.preventDefault(); pick = (pick + 1) % shown.length; render(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); pick = (pick - 1 + shown.length) % shown.length; render(); }
      else if ((e.key === "Tab" || e.key === "Enter") && pick >= 0) { e.preventDefault(); accept(shown[pick]); }
      else if (e.key === "Escape") { shown = []; render(); }
    });
  }

  // --- Markdown preview, through the same renderer as sent mail
  document.querySelectorAll("[data-preview]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var form = btn.closest("form");
      var ta = form.querySelector("textarea");
      var out = form.querySelector(".preview");
      var body = new URLSearchParams();
      body.set("text", ta.value);
      body.set("csrf", csrf);
      fetch("/preview", { method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf } })
        .then(function (r) { return r.text(); })
        .then(function (html) { out.innerHTML = html; out.hidden = false; });
    });
  });

  // --- canned texts into the reply
  document.querySelectorAll("select[data-macro]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      var ta = sel.closest("form").querySelector("textarea");
      if (sel.value) { ta.value = (ta.value ? ta.value + "\n\n" : "") + sel.value; ta.focus(); }
      sel.selectedIndex = 0;
    });
  });

  // --- message tools: plain text, remote images
  document.querySelectorAll("[data-plain]").forEach(function (b) {
    b.addEventListener("click", function () {
      var m = b.closest(".msg");
      var pre = m.querySelector(".text"), fr = m.querySelector("iframe");
      if (!pre || !fr) return;
      var plain = pre.hidden;
      pre.hidden = !plain; fr.hidden = plain;
    });
  });
  document.querySelectorAll("[data-images]").forEach(function (b) {
    b.addEventListener("click", function () {
      var fr = b.closest(".msg").querySelector("iframe");
      if (fr) { fr.src = fr.getAttribute("data-src") + "?images=1"; b.disabled = true; }
    });
  });
  // Frames grow to their content: the frame's document is ours, sandboxed
  // without scripts, so its height is read from here when it loads.
  document.querySelectorAll(".msg iframe").forEach(function (fr) {
    fr.addEventListener("load", function () {
      try { fr.style.height = (fr.contentDocument.documentElement.scrollHeight + 16) + "px"; } catch (err) { /* sandboxed */ }
    });
  });
})();
