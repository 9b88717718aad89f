/* Tiny dependency-free lightbox for case photos (<figure class="sb-figure">).
   Tap/click or Enter on a photo opens the largest variant full screen;
   tap anywhere, the close button or Esc closes it. While it is open the rest of the page is
   inert and Tab stays on the dialog's close button. No third-party requests. */
(function () {
  "use strict";
  var overlay = null;
  var lastFocus = null;
  var inerted = [];

  function setInert(on) {
    if (on) {
      inerted = Array.prototype.filter.call(document.body.children, function (el) {
        return el !== overlay && !el.inert;
      });
    }
    inerted.forEach(function (el) {
      el.inert = on;
      if (on) el.setAttribute("aria-hidden", "true"); else el.removeAttribute("aria-hidden");
    });
    if (!on) inerted = [];
  }

  function close() {
    if (!overlay) return;
    setInert(false);
    overlay.remove();
    overlay = null;
    document.documentElement.classList.remove("sb-lightbox-open");
    if (lastFocus) lastFocus.focus();
  }

  function open(fig) {
    var img = fig.querySelector("img");
    if (!img) return;
    var webp = /\.webp($|\?)/.test(img.currentSrc || "");
    var src = (webp && fig.getAttribute("data-sb-full")) || fig.getAttribute("data-sb-fallback") || img.src;
    lastFocus = document.activeElement;
    overlay = document.createElement("div");
    overlay.className = "sb-lightbox";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", img.alt || "图片");
    var big = document.createElement("img");
    big.src = src;
    big.alt = img.alt;
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "sb-lightbox__close";
    btn.setAttribute("aria-label", "关闭");
    btn.textContent = "×";
    overlay.appendChild(big);
    var cap = fig.querySelector("figcaption");
    if (cap) {
      var text = document.createElement("p");
      text.className = "sb-lightbox__caption";
      text.textContent = cap.textContent;
      overlay.appendChild(text);
    }
    overlay.appendChild(btn);
    overlay.addEventListener("click", close);
    document.body.appendChild(overlay);
    setInert(true);
    document.documentElement.classList.add("sb-lightbox-open");
    btn.focus();
  }

  function prepare() {
    var imgs = document.querySelectorAll(".sb-figure img");
    for (var i = 0; i < imgs.length; i++) {
      imgs[i].setAttribute("tabindex", "0");
      imgs[i].setAttribute("role", "button");
      imgs[i].setAttribute("aria-label", (imgs[i].alt || "图片") + "（点击放大）");
    }
  }

  document.addEventListener("click", function (e) {
    var t = e.target;
    var img = t && t.closest ? t.closest(".sb-figure img") : null;
    if (!img) return;
    e.preventDefault();
    open(img.closest(".sb-figure"));
  });
  document.addEventListener("keydown", function (e) {
    if (overlay && (e.key === "Escape" || e.key === "Esc")) {
      close();
    } else if (overlay && e.key === "Tab") {
      e.preventDefault(); /* the close button is the dialog's only control: focus stays on it */
      overlay.querySelector(".sb-lightbox__close").focus();
    } else if (!overlay && (e.key === "Enter" || e.key === " ")) {
      var t = document.activeElement;
      if (t && t.matches && t.matches(".sb-figure img")) {
        e.preventDefault();
        open(t.closest(".sb-figure"));
      }
    }
  });
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(prepare); /* Material instant navigation */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", prepare);
  } else {
    prepare();
  }
})();
