// The catch-all route for unknown API paths. The Functions host does not rank routes by
// specificity: it tries them in the order it registered the functions (by name), so a bare
// `{*path}` could shadow `checks` or `runs/{instanceId}`. The catch-all therefore carries a regex
// constraint that refuses every path an API operation serves, which makes the order irrelevant.
import { OPERATIONS } from './operations';

// A slash written as \x2F (the same in .NET and JavaScript regexes), so that no route template
// parser can take it for a segment separator.
const SLASH = '\\x2F';

/** OpenAPI path templates (`/monitors/{name}`) as regex sources over the route value (`monitors/x`). */
function pathPattern(path: string): string {
  return path
    .replace(/^\//, '')
    .split('/')
    .map((segment) =>
      /^\{[^}]+\}$/.test(segment) ? `[^${SLASH}]+` : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
    )
    .join(SLASH);
}

/**
 * The regex the catch-all's `path` must match: anything but an API operation's path. It avoids
 * `/`, `{`, `}`, `):`, `)=` and a final `?`, which a route template would read as its own syntax.
 */
export function unknownPathPattern(): string {
  const known = [...new Set(OPERATIONS.map((op) => pathPattern(op.path)))];
  return `^(?!(${known.join('|')})${SLASH}*$).*$`;
}

/** The route of the notFound function (under the route prefix). */
export function notFoundRoute(): string {
  return `{*path:regex(${unknownPathPattern()})}`;
}
