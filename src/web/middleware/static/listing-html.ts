import { escapeHtml, formatBytes } from '../../../util/text.js';
import { LISTING_SCRIPT, LISTING_STYLE } from './listing-assets.js';
import type { Listing, ListingEntry, ListingSort } from './listing-data.js';

/** `2024-06-01 12:00` in UTC (the page's script shows local time when it runs). */
function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * A directory listing page: readable on a phone (viewport, one fluid table, long names wrap),
 * breadcrumbs, sortable by name, size and date both without script (the header links carry
 * `?sort=…&order=…` for the server) and with it (a tiny inline script sorts in place). Every name is
 * HTML-escaped and every link is relative and percent-encodes its segment, so names with spaces,
 * `#`, `?`, `%` or non-ASCII characters link correctly and never inject markup.
 *
 * @example
 * ```ts
 * const html = listingHtml('/docs/', ['docs'], listing, { key: 'name', order: 'asc' });
 * ```
 */
export function listingHtml(urlPath: string, segments: readonly string[], listing: Listing, sort: ListingSort): string {
  const title = `Index of ${escapeHtml(urlPath)}`;
  const rows = listing.entries.map(entryRow).join('\n');
  const parent = segments.length > 0 ? '<tr class="up"><td><a href="../">../</a></td><td></td><td></td></tr>' : '';
  const omitted = listing.omitted > 0 ? `<p class="note">${listing.omitted} more entries are not shown.</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${LISTING_STYLE}</style>
</head>
<body>
<nav aria-label="Breadcrumb">${breadcrumbs(segments)}</nav>
<h1>${title}</h1>
<table>
<thead><tr>${headerCell('name', 'Name', sort)}${headerCell('size', 'Size', sort)}${headerCell('mtime', 'Modified', sort)}</tr></thead>
<tbody>${parent}</tbody>
<tbody id="entries">
${rows}
</tbody>
</table>
${listing.entries.length === 0 ? '<p class="note">This folder is empty.</p>' : ''}${omitted}
<script>${LISTING_SCRIPT}</script>
</body>
</html>
`;
}

function entryRow(entry: ListingEntry): string {
  const dir = entry.type === 'directory';
  const href = `./${encodeURIComponent(entry.name)}${dir ? '/' : ''}`;
  const label = `${escapeHtml(entry.name)}${dir ? '/' : ''}`;
  const iso = new Date(entry.mtimeMs).toISOString();
  const size = dir ? '—' : `<span title="${entry.size} bytes">${formatBytes(entry.size)}</span>`;
  return (
    `<tr data-name="${escapeHtml(entry.name)}" data-size="${entry.size}" data-mtime="${Math.floor(entry.mtimeMs)}" data-dir="${dir ? 1 : 0}">` +
    `<td class="name"><a href="${escapeHtml(href)}"${dir ? ' class="dir"' : ''}>${label}</a></td>` +
    `<td class="num">${size}</td>` +
    `<td class="date"><time datetime="${iso}">${formatDate(entry.mtimeMs)}</time></td></tr>`
  );
}

/** A sortable column header: a real link for the server-side sort, enhanced by the script. */
function headerCell(key: ListingSort['key'], label: string, sort: ListingSort): string {
  const active = sort.key === key;
  const next = active && sort.order === 'asc' ? 'desc' : 'asc';
  const aria = active ? ` aria-sort="${sort.order === 'asc' ? 'ascending' : 'descending'}"` : '';
  const cls = key === 'size' ? ' class="num"' : '';
  return `<th data-key="${key}"${cls}${aria}><a href="?sort=${key}&amp;order=${next}">${label}</a></th>`;
}

/** `/ › docs › api`: each ancestor a relative link (`../../`), so the page works under any mount. */
function breadcrumbs(segments: readonly string[]): string {
  const depth = segments.length;
  const crumbs = [depth === 0 ? '<li aria-current="page">/</li>' : `<li><a href="${'../'.repeat(depth)}">/</a></li>`];
  segments.forEach((segment, i) => {
    const up = depth - i - 1;
    const name = escapeHtml(segment);
    crumbs.push(
      up === 0 ? `<li aria-current="page">${name}</li>` : `<li><a href="${'../'.repeat(up)}">${name}</a></li>`,
    );
  });
  return `<ol class="crumbs">${crumbs.join('')}</ol>`;
}
