/**
 * The listing page's inline style and script, kept apart from the markup. The script is an
 * enhancement only: without it the header links sort on the server, and dates show in UTC.
 */

/** Fluid, phone-first layout: one table at full width, long names wrap, big tap targets, dark mode. */
export const LISTING_STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.4}
body{margin:0 auto;max-width:60rem;padding:1rem}
h1{font-size:1.25rem;margin:.25rem 0 1rem;word-break:break-word}
.crumbs{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem;padding:0;margin:0}
.crumbs li+li::before{content:"\\203A";margin-right:.25rem;opacity:.6}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #8884;vertical-align:baseline}
th a{color:inherit}
th[aria-sort=ascending] a::after{content:" \\25B2"}
th[aria-sort=descending] a::after{content:" \\25BC"}
.num{text-align:right;white-space:nowrap}
.date{white-space:nowrap}
td.name{word-break:break-word;width:100%}
td a{display:block;padding:.25rem 0}
a{text-decoration:none}
a:hover,a:focus{text-decoration:underline}
a.dir{font-weight:600}
.note{opacity:.7}
@media (max-width:40rem){body{padding:.5rem}th,td{padding:.3rem .25rem;font-size:.9rem}.date{white-space:normal;font-size:.8rem}}
`;

/** Sorts the rows in place (directories first, like the server) and keeps the links and URL in step. */
export const LISTING_SCRIPT = `
(function () {
  var tbody = document.getElementById('entries');
  var collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  var narrow = window.matchMedia('(max-width: 40rem)').matches;
  var format = { dateStyle: narrow ? 'short' : 'medium', timeStyle: 'short' };
  document.querySelectorAll('#entries time').forEach(function (t) {
    var d = new Date(t.dateTime);
    if (!isNaN(d)) t.textContent = d.toLocaleString(undefined, format);
  });
  function sort(key, order) {
    var sign = order === 'desc' ? -1 : 1;
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var dirs = b.dataset.dir - a.dataset.dir;
      if (dirs) return dirs;
      var byKey = key === 'name' ? collator.compare(a.dataset.name, b.dataset.name) : a.dataset[key] - b.dataset[key];
      return sign * byKey || collator.compare(a.dataset.name, b.dataset.name);
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
    document.querySelectorAll('th[data-key]').forEach(function (th) {
      var on = th.dataset.key === key;
      if (on) th.setAttribute('aria-sort', order === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      th.querySelector('a').setAttribute('href', '?sort=' + th.dataset.key + '&order=' + (on && order === 'asc' ? 'desc' : 'asc'));
    });
  }
  document.querySelectorAll('th[data-key] a').forEach(function (a) {
    a.addEventListener('click', function (event) {
      event.preventDefault();
      var th = a.parentNode;
      var order = th.getAttribute('aria-sort') === 'ascending' ? 'desc' : 'asc';
      sort(th.dataset.key, order);
      history.replaceState(null, '', '?sort=' + th.dataset.key + '&order=' + order);
    });
  });
})();
`;
