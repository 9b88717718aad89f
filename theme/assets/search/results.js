/* /search/ page extras around search.js (which fires "cs:page-rendered" after each render):
   - "跳到搜索结果": a skip link after the query box, so the keyboard reaches the first result
     without passing every filter;
   - "显示 N 个结果": closes the phone filter panel and moves to the results;
   - "导出这些案例（CSV）": the filtered list as a spreadsheet, built in the browser from the
     site's own open data (data/cases.json), no request elsewhere. */
(function () {
  "use strict";
  var COLUMNS = [
    ["编号", "id"], ["标题", "title"], ["所在区", "district"], ["街镇", "locality"], ["领域", "fields"],
    ["服务群体", "groups"], ["年份", "year"], ["标签", "tags"], ["摘要", "summary"], ["网址", "url"],
    ["引用格式", "citation"]
  ];

  // A cell as plain text; a leading = + - @ (a spreadsheet formula) is quoted with an apostrophe.
  function cell(value) {
    var text = Array.isArray(value) ? value.join("、") : value == null ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function toCsv(records) {
    var lines = [COLUMNS.map(function (c) { return c[0]; }).join(",")];
    records.forEach(function (r) { lines.push(COLUMNS.map(function (c) { return cell(r[c[1]]); }).join(",")); });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }

  function setup(root) {
    var base = root.getAttribute("data-root") || "";
    var query = root.querySelector(".cs-page__query");
    var results = root.querySelector(".cs-page__results");
    var status = root.querySelector(".cs-page__status");
    var toggle = root.querySelector(".cs-page__toggle");
    var actions = root.querySelector(".cs-page__actions");
    if (!query || !results || !status) return;
    results.id = results.id || "cs-page-results";

    function toResults() {
      if (toggle && toggle.getAttribute("aria-expanded") === "true") toggle.click();
      var first = results.querySelector("a");
      status.scrollIntoView({ block: "start" });
      if (first) first.focus({ preventScroll: true });
      else { status.tabIndex = -1; status.focus({ preventScroll: true }); }
    }

    var skip = document.createElement("a");
    skip.className = "cs-skip-results";
    skip.href = "#" + results.id;
    skip.textContent = "跳到搜索结果";
    skip.addEventListener("click", function (e) { e.preventDefault(); toResults(); });
    query.insertAdjacentElement("afterend", skip);

    var apply = null;
    if (actions) {
      apply = document.createElement("button");
      apply.type = "button";
      apply.className = "cs-page__apply md-button md-button--primary";
      apply.textContent = "显示结果";
      apply.addEventListener("click", toResults);
      actions.insertBefore(apply, actions.firstChild);
    }

    var exportBox = document.createElement("p");
    exportBox.className = "cs-page__export";
    exportBox.hidden = true;
    var exportBtn = document.createElement("button");
    exportBtn.type = "button";
    exportBtn.className = "cs-page__export-button";
    exportBtn.textContent = "导出这些案例（CSV）";
    var exportNote = document.createElement("span");
    exportNote.setAttribute("role", "status");
    exportBox.appendChild(exportBtn);
    exportBox.appendChild(exportNote);
    status.insertAdjacentElement("afterend", exportBox);

    var last = null;
    root.addEventListener("cs:page-rendered", function (e) {
      last = e.detail;
      if (apply) apply.textContent = last.count ? "显示 " + last.count + " 个结果" : "没有符合条件的案例，返回查看";
      exportBox.hidden = !last.count || !window.caseSearch || !window.caseSearch.idsOf;
      exportNote.textContent = "";
    });

    var records = null;
    exportBtn.addEventListener("click", function () {
      if (!last || !last.hits) return;
      var hits = last.hits, q = last.q;
      exportNote.textContent = "正在准备……";
      var data = records ? Promise.resolve(records) : fetch(base + "data/cases.json").then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (j) { records = j.cases || []; return records; });
      Promise.all([data, window.caseSearch.idsOf(hits)]).then(function (r) {
        var byId = {};
        r[0].forEach(function (c) { byId[c.id] = c; });
        var rows = r[1].map(function (id) { return byId[id]; }).filter(Boolean);
        var blob = new Blob([toCsv(rows)], { type: "text/csv;charset=utf-8" });
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = "cases-filtered.csv";
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        exportNote.textContent = "已导出 " + rows.length + " 个案例" + (q ? "（关键词：" + q + "）" : "");
        root.dispatchEvent(new CustomEvent("cs:exported", { detail: { rows: rows.length, csv: toCsv(rows) } }));
      }).catch(function () { exportNote.textContent = "导出失败：可以改用页脚的“案例表格（CSV）”下载全部案例"; });
    });
  }

  function start() { document.querySelectorAll(".cs-page").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
