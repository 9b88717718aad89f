/* site_builder: "引用本案例" on case pages. Puts the reader's own date in the citation's 引用日期
   (GB/T 7714-2015: the day the resource was consulted) and makes the copy and share buttons work.
   No library; announces the result in the block's status line and fires "sb:copied" / "sb:shared".
   Copy: the Clipboard API, else execCommand (WeChat's X5/XWeb and plain http), else the text is
   selected so a long press copies it. Share: in WeChat (no Web Share, and its JS-SDK would be a
   third-party request) a tip points at WeChat's own "···" menu, which reads the page's title,
   description and image; elsewhere the system share sheet, else the link is copied. */
(function () {
  "use strict";

  function today() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function selectText(el) {
    try {
      var range = document.createRange();
      range.selectNodeContents(el);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    } catch (e) { /* nothing to select */ }
  }

  var WECHAT = /MicroMessenger/i.test(navigator.userAgent);

  function meta(name) {
    var el = document.querySelector('meta[property="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  }

  // The tip that points at WeChat's "···" menu (top right); closes on its button, Escape or a tap.
  function weChatTip(opener) {
    var old = document.querySelector(".sb-share-tip");
    if (old) old.remove();
    var tip = document.createElement("div");
    tip.className = "sb-share-tip";
    tip.setAttribute("role", "dialog");
    tip.setAttribute("aria-label", "在微信里分享");
    tip.innerHTML = '<p class="sb-share-tip__arrow" aria-hidden="true">↗</p>' +
      '<p>点右上角的“<b>···</b>”，选“<b>转发给朋友</b>”或“<b>分享到朋友圈</b>”。</p>' +
      '<button type="button" class="sb-copy">知道了</button>';
    function close() {
      tip.remove();
      document.removeEventListener("keydown", onKey);
      opener.focus();
    }
    function onKey(e) { if (e.key === "Escape") close(); }
    tip.addEventListener("click", function (e) { if (e.target === tip || e.target.tagName === "BUTTON") close(); });
    document.addEventListener("keydown", onKey);
    document.body.appendChild(tip);
    tip.querySelector("button").focus();
  }

  function share(block, button, status) {
    var link = document.getElementById("sb-cite-link");
    if (!link) return;
    var url = link.getAttribute("href"), title = meta("og:title") || document.title;
    var done = function (how) {
      block.dispatchEvent(new CustomEvent("sb:shared", { detail: { how: how, url: url } }));
    };
    if (WECHAT) {
      weChatTip(button);
      status.textContent = "请点右上角的“···”转发给朋友或分享到朋友圈";
      done("wechat");
    } else if (navigator.share) {
      navigator.share({ title: title, text: meta("og:description"), url: url }).then(function () {
        status.textContent = "已分享";
        done("system");
      }, function () { /* the reader closed the share sheet */ });
    } else {
      copyText(url).then(function () {
        status.textContent = "链接已复制，可以粘贴发给朋友";
        done("copied");
      }, function () {
        selectText(link);
        status.textContent = "已选中本页链接：请长按选中的文字，再点“复制”";
        done("selected");
      });
    }
  }

  function setUp(block) {
    var status = block.querySelector(".sb-cite__status");
    block.querySelectorAll(".sb-cite__accessed").forEach(function (el) { el.textContent = today(); });
    block.querySelectorAll(".sb-cite__nojs").forEach(function (el) { el.hidden = true; });
    block.querySelectorAll(".sb-share").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { share(block, button, status); });
    });
    block.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) return;
        var text = source.textContent.trim();
        copyText(text).then(function () {
          status.textContent = (button.getAttribute("data-copy") === "sb-cite-link" ? "链接" : "引用") + "已复制";
          block.dispatchEvent(new CustomEvent("sb:copied", { detail: { text: text, ok: true } }));
        }, function () {
          selectText(source);
          status.textContent = "无法自动复制，已选中上面的文字：请长按选中的文字，再点“复制”";
          block.dispatchEvent(new CustomEvent("sb:copied", { detail: { text: text, ok: false } }));
        });
      });
    });
  }

  function start() { document.querySelectorAll(".sb-cite").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
