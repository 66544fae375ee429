// Checks real HTTP answers against the OpenAPI document the app serves: the status must be
// documented for the operation, the media type must match, the documented headers must be there
// and the body must validate against the documented JSON Schema (ajv, draft 2020-12). A path the
// document does not know must answer 404 problem+json, and a method it does not list 405 + Allow.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

interface Operation {
  operationId: string;
  responses: Record<
    string,
    {
      $ref?: string;
      content?: Record<string, { schema: Json }>;
      headers?: Record<string, { required?: boolean; schema: Json }>;
    }
  >;
}

export interface ObservedResponse {
  method: string;
  /** Absolute URL of the request. */
  url: string;
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

export interface Verdict {
  /** The documented operation, when the path and method are documented. */
  operationId?: string;
  /** Empty when the answer matches the document. */
  errors: string[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const ROOT_ID = 'https://sitewatch.test/openapi.json';

export class ApiContract {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly paths: Array<{ template: string; regex: RegExp; item: Record<string, Operation> }>;
  readonly basePath: string;

  constructor(readonly document: Json) {
    this.ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(this.ajv);
    const components = (document.components as { schemas: Record<string, Json> }).schemas;
    this.ajv.addSchema({ $id: ROOT_ID, $defs: rebase(components) });
    const servers = document.servers as Array<{ url: string }>;
    this.basePath = new URL(servers[0].url, 'http://base.invalid').pathname.replace(/\/$/, '');
    this.paths = Object.entries(document.paths as Record<string, Record<string, Operation>>).map(
      ([template, item]) => ({ template, regex: templateRegex(template), item }),
    );
  }

  /** The operation (if any) documented for a method and API path (relative to the base, e.g. `/checks`). */
  operation(method: string, apiPath: string): Operation | undefined {
    return this.paths.find((p) => p.regex.test(apiPath))?.item[method.toLowerCase()];
  }

  /** Every documented operation id. */
  operationIds(): string[] {
    return this.paths.flatMap((p) => HTTP_METHODS.flatMap((m) => (p.item[m] ? [p.item[m].operationId] : [])));
  }

  /** The methods documented for a path template. */
  methods(template: string): string[] {
    const item = this.paths.find((p) => p.template === template)?.item ?? {};
    return HTTP_METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
  }

  /** Validates `body` against a component schema, e.g. `RunView`. */
  validateSchema(name: string, body: unknown): string[] {
    return this.run(`${ROOT_ID}#/$defs/${name}`, () => ({ $ref: `${ROOT_ID}#/$defs/${name}` }), body);
  }

  /** Checks one answer of the API; answers outside the API's base path are not its business. */
  check(response: ObservedResponse): Verdict | undefined {
    const { pathname } = new URL(response.url);
    if (pathname !== this.basePath && !pathname.startsWith(`${this.basePath}/`)) return undefined;
    const apiPath = pathname.slice(this.basePath.length) || '/';
    const found = this.paths.find((p) => p.regex.test(apiPath));
    const method = response.method.toLowerCase();
    const errors: string[] = [];

    if (!found) {
      if (response.status !== 404)
        errors.push(`unknown path ${apiPath} answered ${response.status}, not 404`);
      errors.push(...this.problem(response));
      return { errors };
    }
    const op = found.item[method];
    if (!op) {
      if (response.status !== 405) errors.push(`undocumented method answered ${response.status}, not 405`);
      const allow = (response.headers.allow ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean)
        .sort();
      const documented = this.methods(found.template).sort();
      if (allow.join() !== documented.join()) {
        errors.push(`Allow is "${response.headers.allow}", the document lists ${documented.join(', ')}`);
      }
      errors.push(...this.problem(response));
      return { errors };
    }

    const status = String(response.status);
    const documented = op.responses[status] ?? this.resolve(op.responses.default);
    if (!op.responses[status] && response.status < 400) {
      errors.push(`${op.operationId} answered ${status}, which the document does not list`);
    }
    const spec = documented.$ref ? this.resolve(documented) : documented;
    const mediaType = (response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const content = spec.content?.[mediaType];
    if (spec.content === undefined && response.status === 304) {
      // Not Modified carries no body, as documented.
    } else if (!content) {
      errors.push(
        `${op.operationId} ${status} is ${mediaType || 'without a body type'}, the document says ${Object.keys(spec.content ?? {}).join(', ')}`,
      );
    } else {
      const key = `${op.operationId} ${status} ${mediaType}`;
      errors.push(...this.run(key, () => rebase(content.schema), response.body).map((e) => `${key}: ${e}`));
    }
    for (const [name, header] of Object.entries(spec.headers ?? {})) {
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) errors.push(`${op.operationId} ${status} lacks the ${name} header`);
        continue;
      }
      const key = `${op.operationId} ${status} header ${name}`;
      errors.push(...this.run(key, () => rebase(header.schema), value).map((e) => `${key}: ${e}`));
    }
    return { operationId: op.operationId, errors };
  }

  private problem(response: ObservedResponse): string[] {
    const mediaType = (response.headers['content-type'] ?? '').split(';')[0].trim();
    const errors =
      mediaType === 'application/problem+json' ? [] : [`the error is ${mediaType}, not problem+json`];
    return [...errors, ...this.validateSchema('Problem', response.body)];
  }

  private resolve(value: { $ref?: string } | undefined): Operation['responses'][string] {
    if (!value?.$ref) return value ?? {};
    const pointer = value.$ref.replace(/^#\//, '').split('/');
    let node: unknown = this.document;
    for (const key of pointer) node = (node as Json)[key];
    return node as Operation['responses'][string];
  }

  private run(key: string, schema: () => Json, data: unknown): string[] {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema());
      this.validators.set(key, validate);
    }
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`);
  }
}

/** `/monitors/{name}/ack` -> a regex over API paths. */
function templateRegex(template: string): RegExp {
  const source = template
    .split('/')
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`, 'i');
}

/** Points `#/components/schemas/X` references at the schema ajv holds them in. */
function rebase<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/"#\/components\/schemas\//g, `"${ROOT_ID}#/$defs/`)) as T;
}
