// Layout self-check, run only when the page's URL ends in #layout-check (the browser tests use it).
// Writes a JSON report into <pre id="layout-report">: every table cell whose text spills out of
// its box or overlaps another cell's text, and the computed colours of the coverage states.
(function () {
  if (location.hash !== "#layout-check") return;
  function textRect(el) {
    const range = document.createRange();
    range.selectNodeContents(el);
    const r = range.getBoundingClientRect();
    return r.width && r.height ? r : null;
  }
  function overlap(a, b) {
    return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
           Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  }
  function run() {
    const report = {cells: 0, spills: [], overlaps: [], colours: {}};
    document.querySelectorAll("table").forEach(function (table) {
      const cells = Array.from(table.querySelectorAll("th, td"));
      const boxes = cells.map(function (c) { return {el: c, box: c.getBoundingClientRect(), text: textRect(c)}; });
      boxes.forEach(function (b) {
        report.cells++;
        if (b.text && (b.text.right > b.box.right + 1 || b.text.left < b.box.left - 1 ||
                       b.text.bottom > b.box.bottom + 1 || b.text.top < b.box.top - 1)) {
          report.spills.push(b.el.textContent.trim().slice(0, 40));
        }
      });
      for (let i = 0; i < boxes.length; i++) {
        if (!boxes[i].text) continue;
        for (let j = i + 1; j < boxes.length; j++) {
          if (boxes[j].text && boxes[i].el !== boxes[j].el && !boxes[i].el.contains(boxes[j].el) &&
              !boxes[j].el.contains(boxes[i].el) && overlap(boxes[i].text, boxes[j].text)) {
            report.overlaps.push([boxes[i].el.textContent.trim().slice(0, 30), boxes[j].el.textContent.trim().slice(0, 30)]);
          }
        }
      }
    });
    // forms: a label's own words, and every control, must not overlap one another
    document.querySelectorAll("form").forEach(function (form) {
      const items = [];
      form.querySelectorAll("label").forEach(function (label) {
        label.childNodes.forEach(function (n) {
          if (n.nodeType === 3 && n.textContent.trim()) {
            const range = document.createRange();
            range.selectNodeContents(n);
            items.push({name: n.textContent.trim(), box: range.getBoundingClientRect()});
          }
        });
      });
      form.querySelectorAll("select, input, button, textarea").forEach(function (c) {
        if (c.type !== "hidden") items.push({name: c.name || c.type || c.tagName, box: c.getBoundingClientRect()});
      });
      report.cells += items.length;
      for (let i = 0; i < items.length; i++) {
        for (let j = i + 1; j < items.length; j++) {
          if (items[i].box.width && items[j].box.width && overlap(items[i].box, items[j].box)) {
            report.overlaps.push([items[i].name.slice(0, 30), items[j].name.slice(0, 30)]);
          }
        }
      }
    });
    document.querySelectorAll(".legend-states .st").forEach(function (s) {
      report.colours[s.textContent.trim()] = getComputedStyle(s).backgroundColor;
    });
    const data = document.querySelector("table.rows-and-columns");  // Datasette's table of rows
    if (data) report.rows_table_top = Math.round(data.getBoundingClientRect().top + window.scrollY);
    const pre = document.createElement("pre");
    pre.id = "layout-report";
    pre.textContent = JSON.stringify(report);
    document.body.appendChild(pre);
  }
  if (document.readyState === "complete") run(); else window.addEventListener("load", run);
})();
