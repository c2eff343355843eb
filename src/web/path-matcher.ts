/**
 * Path patterns of `app.use(path, …)`: `*` (or no path) matches everything, `/api/*` matches `/api`
 * and everything below it, `/users/:id` one segment per param, anything else exactly.
 */
export type PathMatcher = ((path: string) => boolean) | undefined;

/** Compiles a middleware path; undefined means "every path" (the fast, cacheable case). */
export function compileMatcher(pattern: string | undefined): PathMatcher {
  if (pattern === undefined || pattern === '*' || pattern === '/*') return undefined;
  const source = pattern
    .split('/')
    .map((segment) => {
      if (segment === '*') return '(?:/.*)?';
      const body = segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return `/${body}`;
    })
    .slice(1)
    .join('');
  const regex = new RegExp(`^${source === '' ? '/' : source}$`);
  return (path) => regex.test(path);
}

/** Joins a mount prefix and a pattern: `/api` + `/users` → `/api/users`, `/api` + `/` → `/api`. */
export function joinPaths(prefix: string, pattern: string): string {
  const head = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (pattern === '/' || pattern === '') return head === '' ? '/' : head;
  return `${head}${pattern.startsWith('/') ? pattern : `/${pattern}`}`;
}
