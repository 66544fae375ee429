// gitignore-syntax rules, as azd reads .funcignore when it zips a function app
// (github.com/denormal/go-gitignore; Azure/azure-dev cli/azd/pkg/project/project_utils.go).
// Supported: comments, blank lines, `!` negation, trailing `/` (directories only), leading or
// inner `/` (anchored to the root), `*`, `?`, `[...]`, and `**` in every position. The last
// matching rule wins, and nothing inside an ignored directory can be re-included.

export interface IgnoreRule {
  /** The line as written, for messages. */
  readonly source: string;
  readonly negated: boolean;
  readonly directoryOnly: boolean;
  readonly pattern: RegExp;
}

export function parseIgnoreRules(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1);
    if (line.startsWith('\\#') || line.startsWith('\\!')) line = line.slice(1);
    const directoryOnly = line.endsWith('/');
    if (directoryOnly) line = line.replace(/\/+$/, '');
    if (line === '') continue;
    // A slash anywhere but the end anchors the pattern to the root; otherwise it matches a
    // name at any depth.
    const anchored = line.includes('/');
    const glob = anchored ? line.replace(/^\/+/, '') : `**/${line}`;
    rules.push({ source: rawLine.trim(), negated, directoryOnly, pattern: globToRegExp(glob) });
  }
  return rules;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === '*' && glob[i + 1] === '*') {
      const atStart = i === 0 || glob[i - 1] === '/';
      const next = glob[i + 2];
      if (atStart && next === '/') {
        out += '(?:.*/)?'; // `**/`: zero or more directories
        i += 2;
      } else if (atStart && next === undefined) {
        out += '.*'; // trailing `/**`: everything inside
        i += 1;
      } else {
        out += '[^/]*';
        i += 1;
      }
    } else if (char === '*') {
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
      } else {
        const body = glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else if (char === '\\' && i + 1 < glob.length) {
      out += escapeRegExp(glob[++i]);
    } else {
      out += escapeRegExp(char);
    }
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** What the rules alone say about one path (posix, relative to the root), ignoring its parents. */
export function matchRules(rules: readonly IgnoreRule[], path: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.directoryOnly && !isDirectory) continue;
    if (rule.pattern.test(path)) ignored = !rule.negated;
  }
  return ignored;
}

/** Whether a path is left out: it or one of its parent directories is ignored. */
export function isIgnored(rules: readonly IgnoreRule[], path: string, isDirectory: boolean): boolean {
  const parts = path.split('/');
  for (let depth = 1; depth < parts.length; depth++) {
    if (matchRules(rules, parts.slice(0, depth).join('/'), true)) return true;
  }
  return matchRules(rules, path, isDirectory);
}
