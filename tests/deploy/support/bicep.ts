// Just enough Bicep reading for structural checks, because the Bicep compiler cannot run here:
// declarations (param, var, module, output, resource), brace-matched bodies and the top-level
// keys of object literals. Strings ('...', with ${...} inside) are skipped while matching braces.
import { readFileSync } from 'node:fs';

export interface BicepParam {
  name: string;
  type: string;
  hasDefault: boolean;
  /** The default expression as written, if any. */
  defaultValue?: string;
  decorators: string[];
}

export interface BicepModule {
  symbol: string;
  path: string;
  conditional: boolean;
  /** Declared with [for ...]. */
  loop: boolean;
  /** Top-level keys of its `params: { ... }`. */
  params: string[];
  body: string;
}

export interface BicepFile {
  path: string;
  text: string;
  params: BicepParam[];
  vars: string[];
  modules: BicepModule[];
  outputs: { name: string; type: string }[];
  resources: { symbol: string; type: string; apiVersion: string }[];
  decorators: string[];
}

export function readBicep(path: string): BicepFile {
  const text = readFileSync(path, 'utf8');
  return { path, text, ...parseBicep(text) };
}

export function parseBicep(text: string): Omit<BicepFile, 'path' | 'text'> {
  const code = stripComments(text);
  const lines = code.split('\n');
  const params: BicepParam[] = [];
  const decorators: string[] = [];
  let pending: string[] = [];
  for (const line of lines) {
    const decorator = /^@(\w+(?:\.\w+)?)\(/.exec(line);
    if (decorator) {
      pending.push(decorator[1]);
      decorators.push(decorator[1]);
      continue;
    }
    const param = /^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+))?$/.exec(line.trim());
    if (param && !line.startsWith(' ')) {
      params.push({
        name: param[1],
        type: param[2],
        hasDefault: param[3] !== undefined,
        defaultValue: param[3]?.trim(),
        decorators: pending,
      });
    }
    // Decorators belong to the next declaration; multi-line ones (@allowed([...])) span lines.
    if (/^(param|var|resource|module|output|targetScope|type|func|import|metadata)\b/.test(line))
      pending = [];
  }
  const vars = [...code.matchAll(/^var\s+(\w+)\s*=/gm)].map((m) => m[1]);
  const outputs = [...code.matchAll(/^output\s+(\w+)\s+(\w+)\s*=/gm)].map((m) => ({
    name: m[1],
    type: m[2],
  }));
  const resources = [...code.matchAll(/^resource\s+(\w+)\s+'([^'@]+)@([^']+)'/gm)].map((m) => ({
    symbol: m[1],
    type: m[2],
    apiVersion: m[3],
  }));
  // module x 'path' = { ... }, = if (cond) { ... }, = [for item in list: { ... }] and = [for ...: if (cond) { ... }]
  const modules = [
    ...code.matchAll(/^module\s+(\w+)\s+'([^']+)'\s*=\s*(\[for\s[^\n:]*:\s*)?(if\s*\([^\n]*\)\s*)?\{/gm),
  ].map((m) => {
    const body = braceBody(code, (m.index ?? 0) + m[0].length - 1);
    const paramsAt = /^\s{2}params:\s*\{/m.exec(body);
    const params = paramsAt ? topLevelKeys(braceBody(body, paramsAt.index + paramsAt[0].length - 1)) : [];
    return {
      symbol: m[1],
      path: m[2],
      conditional: m[4] !== undefined,
      loop: m[3] !== undefined,
      params,
      body,
    };
  });
  return { params, vars, modules, outputs, resources, decorators };
}

/** Removes // and /* *\/ comments outside strings, keeping line breaks. */
export function stripComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "'") {
      const end = stringEnd(text, i);
      out += text.slice(i, end + 1);
      i = end;
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      out += text.slice(i, end).replace(/[^\n]/g, '');
      i = end + 1;
    } else {
      out += char;
    }
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === "'") return i;
  }
  throw new Error(`Unterminated string at offset ${start}`);
}

/** The text between the `{` at `open` and its matching `}` (exclusive). */
export function braceBody(text: string, open: number): string {
  if (text[open] !== '{') throw new Error(`Expected { at offset ${open}, found ${text[open]}`);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (char === "'") i = stringEnd(text, i);
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`Unbalanced { at offset ${open}`);
}

/** Keys of an object literal body (one `key: value` per line, as Bicep writes them). */
export function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === "'") {
      const end = stringEnd(body, i);
      if (depth === 0 && /(^|\n)\s*$/.test(body.slice(0, i)) && /^\s*:/.test(body.slice(end + 1))) {
        keys.push(body.slice(i + 1, end));
      }
      i = end;
    } else if (char === '{' || char === '[' || char === '(') {
      depth++;
    } else if (char === '}' || char === ']' || char === ')') {
      depth--;
    } else if (depth === 0 && /[A-Za-z_]/.test(char) && /(^|\n)\s*$/.test(body.slice(0, i))) {
      const key = /^([A-Za-z_]\w*)\s*:/.exec(body.slice(i));
      if (key) keys.push(key[1]);
    }
  }
  return keys;
}

/** `key: value` pairs of an object literal body; the value is the rest of the key's line. */
export function topLevelEntries(body: string): { key: string; value: string }[] {
  const keys = topLevelKeys(body);
  return keys.map((key) => {
    const line = new RegExp(`^\\s*'?${key}'?\\s*:\\s*(.*)$`, 'm').exec(body);
    return { key, value: line ? line[1].trim() : '' };
  });
}

/**
 * Bodies of the object literal(s) a `var` holds: `var x = { ... }`, or both branches of
 * `var x = cond ? { ... } : { ... }`.
 */
export function varObjectBodies(text: string, varName: string): string[] {
  const code = stripComments(text);
  const decl = new RegExp(`^var\\s+${varName}\\s*=`, 'm').exec(code);
  if (!decl) throw new Error(`var ${varName} not found`);
  const bodies: string[] = [];
  let at = decl.index + decl[0].length;
  // The expression ends where the next top-level declaration starts.
  const next = /\n(?=(?:var|param|resource|module|output|@)\b)/.exec(code.slice(at));
  const end = next ? at + next.index : code.length;
  while (at < end) {
    const open = code.indexOf('{', at);
    if (open === -1 || open >= end) break;
    const body = braceBody(code, open);
    bodies.push(body);
    at = open + body.length + 2;
  }
  return bodies;
}

export function varObjectKeys(text: string, varName: string): string[] {
  return varObjectBodies(text, varName).flatMap(topLevelKeys);
}

export function varObjectEntries(text: string, varName: string): { key: string; value: string }[] {
  return varObjectBodies(text, varName).flatMap(topLevelEntries);
}
