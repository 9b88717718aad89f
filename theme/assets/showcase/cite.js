/* site_builder: "引用本案例" on case pages. Puts the reader's own date in the citation's 引用日期
   (GB/T 7714-2015: the day the resource was consulted) and makes the copy buttons work.
   No library; announces the result in the block's status line and fires "sb:copied". */
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

  function setUp(block) {
    var status = block.querySelector(".sb-cite__status");
    block.querySelectorAll(".sb-cite__accessed").forEach(function (el) { el.textContent = today(); });
    block.querySelectorAll(".sb-cite__nojs").forEach(function (el) { el.hidden = true; });
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
          status.textContent = "无法自动复制，请长按或拖选上面的文字复制";
          block.dispatchEvent(new CustomEvent("sb:copied", { detail: { text: text, ok: false } }));
        });
      });
    });
  }

  function start() { document.querySelectorAll(".sb-cite").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
