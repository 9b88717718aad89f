/* Reading controls in the header, remembered for the reader (localStorage):
   - 繁體: shows the page in traditional characters (OpenCC s2t, table in assets/zh/s2t.json,
     fetched from this site only when first used) and back to the original text;
   - 大字 (长者模式): larger text and higher contrast (the sb-large class; theme/main.html sets it
     before the first paint).
   Inputs, code, and elements marked translate="no" (the citation, the page address) are never
   converted, so a copied citation and a shared link stay exactly as published; text that scripts
   add later (search results) is converted as it appears.
   In WeChat's in-app browser (X5/XWeb, "MicroMessenger" in the user agent), which ignores
   <a download> and cannot save a file a page builds: download links open the file instead, and a
   visible note beside them (and beside the search page's export) says how to save it: open the
   page in the phone's browser from WeChat's "···" menu. */
(function () {
  "use strict";
  var KEY_SCRIPT = "sb-script", KEY_LARGE = "sb-large";
  var SKIP = "script, style, code, pre, textarea, input, select, [translate=no], .sb-reading";
  var ATTRS = ["title", "aria-label", "placeholder", "alt"];
  var table = null, loading = null, on = false, observer = null;
  var texts = new Map(), attrs = new Map(), written = new WeakMap(), originalTitle = null, originalLang = null;

  function store(key, value) { try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) { /* private mode */ } }
  function read(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }

  function load(root) {
    if (table) return Promise.resolve(table);
    if (!loading) {
      loading = fetch(root + "assets/zh/s2t.json").then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (data) {
        var chars = new Map(), phrases = new Map(), starts = new Set(), longest = 1;
        var from = Array.from(data.chars[0]), to = Array.from(data.chars[1]);
        from.forEach(function (c, i) { chars.set(c, to[i]); });
        data.phrases.split("\n").forEach(function (line) {
          var tab = line.indexOf("\t");
          if (tab < 1) return;
          var s = line.slice(0, tab);
          phrases.set(s, line.slice(tab + 1));
          starts.add(s[0]);
          if (s.length > longest) longest = s.length;
        });
        table = { chars: chars, phrases: phrases, starts: starts, longest: longest };
        return table;
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  // Longest phrase match first, then character by character (OpenCC's s2t order).
  function convert(text) {
    if (!/[\u3400-\u9fff]/.test(text)) return text;
    var out = "", i = 0, n = text.length;
    while (i < n) {
      if (table.starts.has(text[i])) {
        var found = false;
        for (var len = Math.min(table.longest, n - i); len > 1; len--) {
          var t = table.phrases.get(text.substr(i, len));
          if (t !== undefined) { out += t; i += len; found = true; break; }
        }
        if (found) continue;
      }
      var code = text.codePointAt(i), ch = String.fromCodePoint(code);
      out += table.chars.get(ch) || ch;
      i += ch.length;
    }
    return out;
  }

  function skipped(el) { return !el || (el.closest && el.closest(SKIP)); }

  function convertText(node) {
    if (skipped(node.parentElement)) return;
    if (written.get(node) === node.data) return; // our own write
    texts.set(node, node.data);
    var next = convert(node.data);
    written.set(node, next);
    if (next !== node.data) node.data = next;
  }

  function convertAttrs(el) {
    if (skipped(el)) return;
    ATTRS.forEach(function (name) {
      var value = el.getAttribute(name);
      if (value === null || written.get(el) === name + "\u0000" + value) return;
      var saved = attrs.get(el) || {};
      saved[name] = value;
      attrs.set(el, saved);
      var next = convert(value);
      if (next !== value) { written.set(el, name + "\u0000" + next); el.setAttribute(name, next); }
    });
  }

  function convertTree(root) {
    if (root.nodeType === 3) { convertText(root); return; }
    if (root.nodeType !== 1 || skipped(root)) return;
    convertAttrs(root);
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === 3) convertText(node); else convertAttrs(node);
    }
  }

  function toTraditional() {
    on = true;
    originalTitle = document.title;
    originalLang = document.documentElement.getAttribute("lang");
    document.documentElement.setAttribute("lang", "zh-Hant");
    document.title = convert(document.title);
    convertTree(document.body);
    observer = new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "childList") r.addedNodes.forEach(convertTree);
        else if (r.type === "characterData") convertText(r.target);
        else if (r.type === "attributes") convertAttrs(r.target);
      });
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS });
  }

  function toSimplified() {
    on = false;
    if (observer) { observer.disconnect(); observer = null; }
    texts.forEach(function (data, node) { if (node.data !== data) node.data = data; });
    attrs.forEach(function (saved, el) { Object.keys(saved).forEach(function (name) { el.setAttribute(name, saved[name]); }); });
    texts = new Map(); attrs = new Map(); written = new WeakMap();
    if (originalTitle !== null) document.title = originalTitle;
    if (originalLang) document.documentElement.setAttribute("lang", originalLang);
  }

  function setScript(hant, button, root) {
    if (hant === on) return Promise.resolve();
    if (!hant) {
      toSimplified();
      button.setAttribute("aria-pressed", "false");
      store(KEY_SCRIPT, null);
      document.dispatchEvent(new CustomEvent("sb:script", { detail: { script: "hans" } }));
      return Promise.resolve();
    }
    button.setAttribute("aria-busy", "true");
    return load(root).then(function () {
      toTraditional();
      button.setAttribute("aria-pressed", "true");
      store(KEY_SCRIPT, "hant");
      document.dispatchEvent(new CustomEvent("sb:script", { detail: { script: "hant" } }));
    }, function () {
      button.setAttribute("aria-pressed", "false");
      button.title = "暂时无法载入繁体字表";
    }).then(function () { button.removeAttribute("aria-busy"); });
  }

  function setLarge(large, button) {
    document.documentElement.classList.toggle("sb-large", large);
    button.setAttribute("aria-pressed", large ? "true" : "false");
    store(KEY_LARGE, large ? "1" : null);
  }

  var WECHAT_SAVE = "在微信里不能直接下载：点右上角的“···”，选“在浏览器打开”后再下载";

  function weChatNote(after, text) {
    var next = after.nextElementSibling;
    if (next && next.classList.contains("sb-wechat-hint")) return;
    if (after.tagName === "LI") { // inside the item: a list holds only items
      if (after.querySelector(".sb-wechat-hint")) return;
      var inline = document.createElement("span");
      inline.className = "sb-wechat-hint";
      inline.textContent = text;
      after.appendChild(inline);
      return;
    }
    var note = document.createElement("p");
    note.className = "sb-wechat-hint";
    note.textContent = text;
    after.insertAdjacentElement("afterend", note);
  }

  function adaptForWeChat() {
    document.documentElement.classList.add("sb-wechat");
    document.querySelectorAll("a[download]").forEach(function (a) {
      var href = a.getAttribute("href") || "";
      if (href.indexOf("data:") !== 0) {
        a.removeAttribute("download"); // opens the file (a CSV shows as text) instead of doing nothing
        a.setAttribute("data-sb-wechat-open", "");
      }
      weChatNote(a.closest("p, li, figcaption, nav") || a, href.indexOf("data:") === 0 ? WECHAT_SAVE + "（本图的数据也在全站表格里）" : WECHAT_SAVE + "；点链接可以直接查看");
    });
    document.querySelectorAll(".cs-page__export").forEach(function (box) {
      weChatNote(box, WECHAT_SAVE + "导出的表格");
    });
  }

  function start() {
    if (/MicroMessenger/i.test(navigator.userAgent)) adaptForWeChat();
    var box = document.querySelector(".sb-reading");
    if (!box) return;
    var root = box.getAttribute("data-root") || "";
    var zh = box.querySelector(".sb-reading__zh"), large = box.querySelector(".sb-reading__large");
    box.hidden = false;
    large.setAttribute("aria-pressed", document.documentElement.classList.contains("sb-large") ? "true" : "false");
    large.addEventListener("click", function () { setLarge(large.getAttribute("aria-pressed") !== "true", large); });
    zh.addEventListener("click", function () { setScript(zh.getAttribute("aria-pressed") !== "true", zh, root); });
    if (read(KEY_SCRIPT) === "hant") setScript(true, zh, root);
  }

  window.sbReading = { convert: function (text) { return table ? convert(text) : text; } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
