/** Text helpers shared by the HTML pages wirekit writes (directory listings, load-test reports). Imports nothing. */

/**
 * Escapes text for HTML (and XML) content and double- or single-quoted attributes.
 *
 * @example
 * ```ts
 * escapeHtml('<a href="x">'); // '&#60;a href=&#34;x&#34;&#62;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Human units, binary (1 KiB = 1024 B), one decimal below 10.
 *
 * @example
 * ```ts
 * formatBytes(512); // '512 B'
 * formatBytes(5000); // '4.9 KiB'
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit] as string}`;
}
