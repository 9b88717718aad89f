// The case form's own additions to Sveltia CMS (loaded after sveltia-cms.js, written by
// site_builder/cms/admin.py, which fills in SB_FORM from the case fields):
// - the 案例编号 is proposed from the title in pinyin, until the editor types one;
// - the rules the widgets cannot express (a tag twice, a case related to itself) stop the save
//   with a Chinese message, before the pull request's checks would;
// - the preview looks like the case page (title, summary, facts, figures, sections, sources).
(function () {
  "use strict";
  var SB_FORM = /*SB_FORM*/ {};
  var CMS = window.CMS;
  var h = window.h;
  var label = function (key) {
    return (SB_FORM.labels && SB_FORM.labels[key]) || key;
  };

  // --- 案例编号 from the title ------------------------------------------------------------------
  var table = null;
  function pinyinTable() {
    if (table === null) {
      table = {};
      var groups = window.__sbPinyin || {};
      Object.keys(groups).forEach(function (syllable) {
        var chars = groups[syllable];
        for (var i = 0; i < chars.length; i += 1) table[chars.charAt(i)] = syllable;
      });
    }
    return table;
  }

  function slugFromTitle(title) {
    var map = pinyinTable();
    var words = [];
    var ascii = "";
    var flush = function () {
      if (ascii) words.push(ascii);
      ascii = "";
    };
    for (var i = 0; i < title.length; i += 1) {
      var ch = title.charAt(i);
      var lower = ch.toLowerCase();
      if (/[a-z0-9]/.test(lower)) {
        ascii += lower;
      } else {
        flush();
        if (map[ch]) words.push(map[ch]);
      }
    }
    flush();
    var slug = "";
    for (var j = 0; j < words.length; j += 1) {
      var next = slug ? slug + "-" + words[j] : words[j];
      if (next.length > SB_FORM.idMax) break;
      slug = next;
    }
    return slug;
  }
  window.__sbSlugFromTitle = slugFromTitle;

  function labelOf(input) {
    var ids = (input.getAttribute("aria-labelledby") || "").split(" ");
    var el = ids[0] ? document.getElementById(ids[0]) : null;
    if (el) return el.textContent.trim();
    return input.labels && input.labels[0] ? input.labels[0].textContent.trim() : "";
  }

  function inputLabelled(text) {
    var inputs = document.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i += 1) {
      if (labelOf(inputs[i]) === text) return inputs[i];
    }
    return null;
  }

  var setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  document.addEventListener(
    "input",
    function (event) {
      var target = event.target;
      if (!(target instanceof HTMLInputElement)) return;
      var name = labelOf(target);
      if (name === SB_FORM.idLabel && event.isTrusted) {
        target.dataset.sbTyped = target.value ? "1" : "";
        return;
      }
      if (name !== label("title")) return;
      // after the form has taken the title in (it may fill the field from its own template)
      window.setTimeout(function () {
        var slug = inputLabelled(SB_FORM.idLabel);
        if (!slug || slug.readOnly || slug.disabled || slug.dataset.sbTyped === "1") return;
        var proposed = slugFromTitle(target.value);
        if (slug.value === proposed) return;
        setValue.call(slug, proposed);
        slug.dispatchEvent(new Event("input", { bubbles: true }));
      }, 0);
    },
    true
  );

  // --- what the widgets cannot check, before saving ---------------------------------------------
  function plain(value) {
    return value && typeof value.toJS === "function" ? value.toJS() : value;
  }

  function problems(entry) {
    var data = plain(entry.get("data")) || {};
    var slug = entry.get("slug") || "";
    var found = [];
    var tags = data.tags || [];
    var seen = {};
    tags.forEach(function (tag) {
      var key = String(tag).trim();
      if (key && seen[key]) found.push(label("tags") + "「" + key + "」重复了，请删掉一个");
      seen[key] = true;
    });
    if (slug && (data.related || []).indexOf(slug) >= 0) {
      found.push(label("related") + "里选了这个案例自己，请删掉");
    }
    return found;
  }
  window.__sbFormProblems = problems;

  if (CMS && CMS.registerEventListener) {
    CMS.registerEventListener({
      name: "preSave",
      handler: function (args) {
        var found = problems(args.entry);
        if (found.length) {
          var message = "没有保存：" + found.join("；") + "。";
          window.alert(message);
          throw new Error(message);
        }
        return args.entry.get("data");
      },
    });
  }

  // --- a preview like the case page -----------------------------------------------------------
  function text(value) {
    if (value === undefined || value === null) return "";
    return String(value);
  }

  function figure(value) {
    var n = Number(value);
    if (!isFinite(n)) return text(value);
    var parts = String(value).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }

  function CasePreview(props) {
    var entry = props.entry;
    var data = plain(entry.get("data")) || {};
    var children = [];
    if (data.status === "draft") {
      children.push(h("p", { className: "sb-draft", role: "note" }, "草稿：此案例尚未发布，只在预览中显示。"));
    }
    children.push(h("h1", null, text(data.title) || "（还没有标题）"));
    if (data.summary) children.push(h("p", { className: "sb-lead" }, text(data.summary)));
    var facts = [];
    var add = function (key, value) {
      if (value === undefined || value === null || value === "" || (value.length === 0 && typeof value !== "number")) return;
      facts.push(h("dt", { key: key + "-t" }, label(key)));
      facts.push(h("dd", { key: key + "-d" }, Array.isArray(value) ? value.join("、") : text(value)));
    };
    add("district", data.district);
    add("locality", data.locality);
    add("fields", data.fields);
    add("groups", data.groups);
    add("year", data.year === undefined ? undefined : text(data.year)); // a year, never "2,023"
    add("tags", data.tags);
    if (facts.length) children.push(h("dl", { className: "sb-facts" }, facts));
    var metrics = (data.metrics || []).filter(function (m) {
      return m && m.label;
    });
    if (metrics.length) {
      children.push(
        h(
          "ul",
          { className: "sb-metrics" },
          metrics.map(function (m, i) {
            return h(
              "li",
              { key: "m" + i },
              h("strong", null, figure(m.value)),
              h("span", null, text(m.unit)),
              h("small", null, text(m.label))
            );
          })
        )
      );
    }
    (SB_FORM.sections || []).forEach(function (key) {
      if (!data[key]) return;
      children.push(h("section", { key: key }, h("h2", null, label(key)), props.widgetFor(key)));
    });
    var sources = (data.sources || []).filter(function (s) {
      return s && s.title;
    });
    if (sources.length) {
      children.push(h("h2", null, label("sources")));
      children.push(
        h(
          "ol",
          { className: "sb-sources" },
          sources.map(function (s, i) {
            return h("li", { key: "s" + i }, [text(s.title), text(s.publisher), text(s.date)].filter(Boolean).join("，"));
          })
        )
      );
    }
    return h("article", { className: "sb-preview" }, children);
  }

  if (CMS && CMS.registerPreviewTemplate) {
    CMS.registerPreviewStyle("preview.css");
    CMS.registerPreviewTemplate(SB_FORM.collection || "cases", CasePreview);
  }
})();
