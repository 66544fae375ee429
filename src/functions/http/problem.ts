import type { HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';

// RFC 9457 problem details. Every error answer of the API goes through here, so clients can
// rely on one shape and nothing internal (stacks, connection strings) can leak into a body.

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemOptions {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  instance?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

export function problem(status: number, options: ProblemOptions = {}): HttpResponseInit {
  const { detail, errors, headers, instance } = options;
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    jsonBody: {
      type: 'about:blank',
      title: TITLES[status] ?? 'Error',
      status,
      ...(detail !== undefined && { detail }),
      ...(instance !== undefined && { instance }),
      ...(errors !== undefined && { errors }),
    },
  };
}

/** `targets[3].url`: the path a client would use to find the offending field in its own body. */
export function fieldPath(path: ReadonlyArray<PropertyKey>, root = 'body'): string {
  if (path.length === 0) return root;
  return path.reduce<string>((acc, key, i) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return i === 0 ? String(key) : `${acc}.${String(key)}`;
  }, '');
}

export function validationProblem(error: z.ZodError, root = 'body'): HttpResponseInit {
  const errors = error.issues.map((issue) => ({
    field: fieldPath(issue.path, root),
    message: issue.message,
  }));
  const first = errors[0];
  return problem(400, {
    detail: first ? `${first.field}: ${first.message}` : 'The request is invalid.',
    errors,
  });
}

export function methodNotAllowed(allowed: string[]): HttpResponseInit {
  return problem(405, {
    detail: `Use ${allowed.join(' or ')}.`,
    headers: { allow: allowed.join(', ') },
  });
}
