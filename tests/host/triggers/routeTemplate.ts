// ASP.NET Core route templates, the subset Azure Functions HTTP routes use: literal segments,
// `{name}`, `{name?}`, `{name=default}`, `{*catchAll}`, several parameters in one segment
// (`{a}-{b}`), and inline constraints (`{id:int}`, `{n:range(1,9)}`, `{s:regex(^a+$)}`...).
// Literals match case-insensitively and a trailing slash is ignored, as in ASP.NET Core routing.

export class RouteTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteTemplateError';
  }
}

type Constraint = (value: string) => boolean;

interface Parameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: Constraint[];
}

type Part = { literal: string } | { parameter: Parameter };

export interface RouteTemplate {
  template: string;
  /** Decoded route parameters, or undefined when the path does not match. */
  match(path: string): Record<string, string> | undefined;
}

export function parseRouteTemplate(template: string): RouteTemplate {
  const trimmed = template.replace(/^[~/]+|\/+$/g, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map((segment) => parseSegment(segment, template));
  const parameters = segments.flat().flatMap((part) => ('parameter' in part ? [part.parameter] : []));
  const names = new Set<string>();
  for (const parameter of parameters) {
    const key = parameter.name.toLowerCase();
    if (names.has(key))
      throw new RouteTemplateError(`Route '${template}' uses parameter '${parameter.name}' twice`);
    names.add(key);
  }
  segments.forEach((segment, index) => {
    const catchAll = segment.some((part) => 'parameter' in part && part.parameter.catchAll);
    if (catchAll && index !== segments.length - 1) {
      throw new RouteTemplateError(`Route '${template}': a catch-all parameter must be the last segment`);
    }
  });

  let source = '^';
  segments.forEach((segment, index) => {
    const only = segment.length === 1 && 'parameter' in segment[0] ? segment[0].parameter : undefined;
    if (only && (only.optional || only.catchAll || only.defaultValue !== undefined)) {
      // The slash before an optional last segment is optional too.
      const optionalTail = segments
        .slice(index + 1)
        .every((rest) => rest.length === 1 && 'parameter' in rest[0]);
      if (!optionalTail && !only.catchAll) {
        throw new RouteTemplateError(`Route '${template}': only trailing parameters can be optional`);
      }
      source += only.catchAll ? '(?:/(.*))?' : '(?:/([^/]+))?';
      return;
    }
    source += '/';
    segment.forEach((part, partIndex) => {
      if ('literal' in part) source += escapeRegExp(part.literal);
      else if (part.parameter.catchAll) source += '(.*)';
      else source += partIndex === segment.length - 1 ? '([^/]+)' : '([^/]+?)';
    });
  });
  source += '/?$';
  const regex = new RegExp(source, 'i');

  return {
    template,
    match(path: string) {
      const found = regex.exec(normalisePath(path));
      if (!found) return undefined;
      const values: Record<string, string> = {};
      for (let i = 0; i < parameters.length; i++) {
        const parameter = parameters[i];
        const raw = found[i + 1];
        const value = raw === undefined || raw === '' ? parameter.defaultValue : decodeSegment(raw);
        if (value === undefined) {
          if (!parameter.optional && !parameter.catchAll) return undefined;
          continue;
        }
        if (!parameter.constraints.every((accepts) => accepts(value))) return undefined;
        values[parameter.name] = value;
      }
      return values;
    },
  };
}

function parseSegment(segment: string, template: string): Part[] {
  if (segment === '') throw new RouteTemplateError(`Route '${template}' has an empty segment`);
  const parts: Part[] = [];
  let i = 0;
  while (i < segment.length) {
    if (segment[i] === '{') {
      const end = findClosingBrace(segment, i);
      if (end < 0) throw new RouteTemplateError(`Route '${template}' has an unclosed '{'`);
      parts.push({ parameter: parseParameter(segment.slice(i + 1, end), template) });
      i = end + 1;
    } else {
      const next = segment.indexOf('{', i);
      const literal = segment.slice(i, next < 0 ? undefined : next);
      if (literal.includes('}')) throw new RouteTemplateError(`Route '${template}' has an unmatched '}'`);
      parts.push({ literal });
      i = next < 0 ? segment.length : next;
    }
  }
  for (let k = 1; k < parts.length; k++) {
    if ('parameter' in parts[k] && 'parameter' in parts[k - 1]) {
      throw new RouteTemplateError(
        `Route '${template}': two parameters in a segment need a literal between them`,
      );
    }
  }
  if (
    parts.length > 1 &&
    parts.some((part) => 'parameter' in part && (part.parameter.optional || part.parameter.catchAll))
  ) {
    throw new RouteTemplateError(
      `Route '${template}': optional and catch-all parameters must fill their segment`,
    );
  }
  return parts;
}

function findClosingBrace(segment: string, open: number): number {
  let depth = 0;
  for (let i = open + 1; i < segment.length; i++) {
    if (segment[i] === '(') depth++;
    else if (segment[i] === ')') depth--;
    else if (segment[i] === '}' && depth === 0) return i;
  }
  return -1;
}

function parseParameter(body: string, template: string): Parameter {
  let text = body;
  const catchAll = /^\*{1,2}/.test(text);
  text = text.replace(/^\*{1,2}/, '');
  let optional = false;
  let defaultValue: string | undefined;
  if (text.endsWith('?')) {
    optional = true;
    text = text.slice(0, -1);
  }
  const pieces = splitConstraints(text);
  let name = pieces.shift() ?? '';
  const equals = name.indexOf('=');
  if (equals >= 0) {
    defaultValue = name.slice(equals + 1);
    name = name.slice(0, equals);
  }
  const last = pieces.length - 1;
  if (last >= 0 && pieces[last].includes('=') && !pieces[last].includes('(')) {
    const [constraint, value] = pieces[last].split('=', 2);
    pieces[last] = constraint;
    defaultValue = value;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new RouteTemplateError(`Route '${template}' has an invalid parameter name '${name}'`);
  }
  return {
    name,
    optional,
    catchAll,
    defaultValue,
    constraints: pieces.map((piece) => parseConstraint(piece, template)),
  };
}

function splitConstraints(text: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ':' && depth === 0) {
      pieces.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  pieces.push(current);
  return pieces;
}

const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GUID = /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i;

function parseConstraint(piece: string, template: string): Constraint {
  const found = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(piece);
  if (!found) throw new RouteTemplateError(`Route '${template}' has an invalid constraint '${piece}'`);
  const [, kind, rawArgs] = found;
  const args = rawArgs === undefined ? [] : kind.toLowerCase() === 'regex' ? [rawArgs] : rawArgs.split(',');
  const numbers = args.map(Number);
  const needs = (count: number): void => {
    if (
      args.length !== count ||
      (kind.toLowerCase() !== 'regex' && numbers.some((n) => !Number.isInteger(n)))
    ) {
      throw new RouteTemplateError(
        `Route '${template}': constraint '${piece}' needs ${count} integer argument(s)`,
      );
    }
  };
  const int = (value: string): number | undefined => (INTEGER.test(value) ? Number(value) : undefined);
  switch (kind.toLowerCase()) {
    case 'int':
      needs(0);
      return (v) => int(v) !== undefined && int(v)! >= INT32[0] && int(v)! <= INT32[1];
    case 'long':
      needs(0);
      return (v) => INTEGER.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n;
    case 'bool':
      needs(0);
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      needs(0);
      return (v) => GUID.test(v);
    case 'alpha':
      needs(0);
      return (v) => /^[a-z]+$/i.test(v);
    case 'datetime':
      needs(0);
      return (v) => !Number.isNaN(Date.parse(v));
    case 'decimal':
    case 'double':
    case 'float':
      needs(0);
      return (v) => NUMBER.test(v);
    case 'required':
      needs(0);
      return (v) => v !== '';
    case 'min':
      needs(1);
      return (v) => int(v) !== undefined && int(v)! >= numbers[0];
    case 'max':
      needs(1);
      return (v) => int(v) !== undefined && int(v)! <= numbers[0];
    case 'range':
      needs(2);
      return (v) => int(v) !== undefined && int(v)! >= numbers[0] && int(v)! <= numbers[1];
    case 'minlength':
      needs(1);
      return (v) => v.length >= numbers[0];
    case 'maxlength':
      needs(1);
      return (v) => v.length <= numbers[0];
    case 'length':
      if (args.length === 1) {
        needs(1);
        return (v) => v.length === numbers[0];
      }
      needs(2);
      return (v) => v.length >= numbers[0] && v.length <= numbers[1];
    case 'regex': {
      needs(1);
      let regex: RegExp;
      try {
        regex = new RegExp(args[0], 'i');
      } catch (error) {
        throw new RouteTemplateError(
          `Route '${template}': invalid regex constraint: ${(error as Error).message}`,
        );
      }
      return (v) => regex.test(v);
    }
    default:
      throw new RouteTemplateError(`Route '${template}' uses an unknown constraint '${kind}'`);
  }
}

/** Decodes each path segment but keeps an encoded slash inside a segment from splitting it. */
function normalisePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment).replace(/\//g, '%2F');
      } catch {
        return segment;
      }
    })
    .join('/');
}

function decodeSegment(value: string): string {
  return value.replace(/%2F/g, '/');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
