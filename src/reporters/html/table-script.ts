/**
 * The findings table's only script: sort by a column, filter by text, status and account, and show
 * the matches a page at a time (data-page rows, more on request: sections.ts PAGE_ROWS). It reads
 * and reorders the rows the server already rendered (escaped), and writes nothing but text content
 * and the `hidden` attribute, so no AWS-supplied value is ever parsed as HTML. The page's CSP allows
 * exactly this script, by its SHA-256 hash.
 */
export const TABLE_SCRIPT = `(function () {
  'use strict';
  var table = document.getElementById('findings');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById('filter-text');
  var status = document.getElementById('filter-status');
  var account = document.getElementById('filter-account');
  var shown = document.getElementById('shown-count');
  var empty = document.getElementById('no-match');
  var more = document.getElementById('more-rows');
  var pageCount = document.getElementById('page-count');
  var page = Number(table.getAttribute('data-page')) || rows.length;
  var limit = page;

  function applyFilter() {
    var needle = text.value.trim().toLowerCase();
    var wantStatus = status.value;
    var wantAccount = account.value;
    var count = 0;
    rows.forEach(function (row) {
      var match = (!wantStatus || row.getAttribute('data-status') === wantStatus) &&
        (!wantAccount || row.getAttribute('data-account') === wantAccount) &&
        (!needle || row.textContent.toLowerCase().indexOf(needle) !== -1);
      row.hidden = !match || count >= limit;
      if (match) count += 1;
    });
    shown.textContent = String(count);
    empty.hidden = count !== 0;
    more.hidden = count <= limit;
    pageCount.textContent = String(Math.min(count, limit));
  }

  function refilter() {
    limit = page;
    applyFilter();
  }

  function sortKey(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.getAttribute('data-sort');
    if (raw === null) raw = cell.textContent;
    return numeric ? Number(raw) : raw.toLowerCase();
  }

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, index) {
    var button = th.querySelector('button');
    if (!button) return;
    button.addEventListener('click', function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      var numeric = th.getAttribute('data-type') === 'number';
      headers.forEach(function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var keyed = rows.map(function (row, position) {
        return { row: row, key: sortKey(row, index, numeric), position: position };
      });
      keyed.sort(function (a, b) {
        var order = a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position;
        return ascending ? order : -order;
      });
      rows = keyed.map(function (k) { return k.row; });
      rows.forEach(function (row) { body.appendChild(row); });
      applyFilter();
    });
  });

  text.addEventListener('input', refilter);
  status.addEventListener('change', refilter);
  account.addEventListener('change', refilter);
  document.getElementById('show-more').addEventListener('click', function () {
    limit += page;
    applyFilter();
  });
  applyFilter();
})();`;
