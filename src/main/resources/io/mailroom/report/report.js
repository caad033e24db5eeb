(function () {
  'use strict';
  var table = document.getElementById('recipients');
  var controls = document.getElementById('controls');
  var status = document.getElementById('status-filter');
  var text = document.getElementById('text-filter');
  var shown = document.getElementById('shown');
  var groups = Array.prototype.slice.call(table.tBodies);
  var heads = table.tHead.rows[0].cells;

  function filter() {
    var s = status.value, t = text.value.trim().toLowerCase(), n = 0;
    groups.forEach(function (g) {
      var st = g.getAttribute('data-status');
      var ok = (s === '' || (s === 'problems' ? st !== 'sent' && st !== 'cancelled' : st === s))
          && (t === '' || g.textContent.toLowerCase().indexOf(t) >= 0);
      g.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + ' of ' + groups.length + ' rows shown';
  }

  function key(g, i) {
    var cell = g.rows[0].cells[i];
    return cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent;
  }

  Array.prototype.forEach.call(heads, function (th, i) {
    var numeric = th.classList.contains('num');
    function sort() {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      groups.sort(function (a, b) {
        var x = key(a, i), y = key(b, i);
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return asc ? c : -c;
      });
      groups.forEach(function (g) { table.appendChild(g); });
    }
    th.tabIndex = 0;
    th.title = 'sort by ' + th.textContent;
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
    });
  });
  status.addEventListener('change', filter);
  text.addEventListener('input', filter);
  controls.hidden = false;
  filter();
})();
