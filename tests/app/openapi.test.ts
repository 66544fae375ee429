// The OpenAPI document without a running app: it is valid OpenAPI 3.1, its request schemas accept
// the README's curl examples (as the handlers' zod schemas do), it says what zod says, it lists
// exactly the app's HTTP functions, and the catch-all route can never take one of their paths.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { checkRequestSchema } from '../../src/core/checkSpec';
import { AuditRequest } from '../../src/core/auditSchemas';
import { MonitorConfig } from '../../src/core/monitorSchemas';
import { AcknowledgeEvent, PauseEvent } from '../../src/core/watch';
import { validationProblem } from '../../src/functions/http/problem';
import { notFoundRoute } from '../../src/openapi/apiRoutes';
import { buildOpenApiDocument } from '../../src/openapi/document';
import { OPERATIONS } from '../../src/openapi/operations';
import { loadApp, REPO_ROOT } from '../host/loader';
import { parseRouteTemplate } from '../host/triggers/routeTemplate';
import { ApiContract } from '../e2e/support/contract';
import { validateOpenApi } from '../e2e/support/openapiValidator';

const document = buildOpenApiDocument({ maxTargets: 1000, maxWaitSeconds: 60 });
const contract = new ApiContract(document as unknown as Record<string, unknown>);

/** The zod schema each documented request body is generated from. */
const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  CheckRequest: checkRequestSchema({ maxTargets: 1000 }),
  AuditRequest,
  MonitorConfig,
  AcknowledgeRequest: AcknowledgeEvent,
  PauseRequest: PauseEvent,
};

type Operation = {
  operationId: string;
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
};

function requestSchemaName(op: Operation): string | undefined {
  return op.requestBody?.content['application/json'].schema.$ref.split('/').pop();
}

describe('the document', () => {
  test('is valid OpenAPI 3.1', async () => {
    expect(await validateOpenApi(document)).toEqual({ valid: true, errors: null, version: '3.1' });
  });

  test('the validator does reject a broken document', async () => {
    const broken = JSON.parse(JSON.stringify(document));
    broken.paths['/checks'].post.responses['202'].headers.Location.schema = 'uri';
    const verdict = await validateOpenApi(broken);
    expect(verdict.valid).toBe(false);
  });

  test('carries the limits it is built with', () => {
    const small = buildOpenApiDocument({
      maxTargets: 5,
      maxWaitSeconds: 7,
      serverUrl: 'http://127.0.0.1:1/api',
    });
    expect(small.components.schemas.CheckRequest).toMatchObject({ properties: { targets: { maxItems: 5 } } });
    const wait = (small.paths['/audits'].post as { parameters: Array<{ schema: unknown }> }).parameters[0];
    expect(wait.schema).toEqual({ type: 'integer', minimum: 0, maximum: 7 });
    expect(small.servers).toEqual([{ url: 'http://127.0.0.1:1/api' }]);
  });

  test('documents a plain URL string as a check target', () => {
    const request = { targets: ['https://example.com/', { url: 'https://example.org/', method: 'head' }] };
    expect(contract.validateSchema('CheckRequest', request)).toEqual([]);
    expect(contract.validateSchema('CheckRequest', { targets: [42] })).not.toEqual([]);
  });
});

describe('request schemas agree with the zod schemas the handlers use', () => {
  // Bodies zod refuses for a reason JSON Schema can express: the document must refuse them too.
  const refused: Array<[string, string, unknown]> = [
    ['CheckRequest', 'no targets', {}],
    ['CheckRequest', 'an empty target list', { targets: [] }],
    ['CheckRequest', 'an unknown field', { targets: ['https://example.com/'], priority: 1 }],
    ['CheckRequest', 'a zero timeout', { targets: [{ url: 'https://example.com/', timeoutMs: 0 }] }],
    [
      'CheckRequest',
      'a bad status class',
      { targets: [{ url: 'https://example.com/', expect: { status: '6xx' } }] },
    ],
    [
      'CheckRequest',
      'a header name with a space',
      { targets: [{ url: 'https://example.com/', headers: { 'bad name': 'x' } }] },
    ],
    ['CheckRequest', 'an empty name', { targets: ['https://example.com/'], name: '' }],
    ['CheckRequest', '1001 targets', { targets: Array.from({ length: 1001 }, () => 'https://example.com/') }],
    ['AuditRequest', 'maxLinks 0', { url: 'https://example.com/', maxLinks: 0 }],
    ['AuditRequest', 'a string for a boolean', { url: 'https://example.com/', sameOriginOnly: 'yes' }],
    [
      'MonitorConfig',
      'a 5 s interval',
      {
        target: 'https://example.com/',
        intervalSeconds: 5,
        failureThreshold: 1,
        recoveryThreshold: 1,
        realertMinutes: 0,
      },
    ],
    [
      'MonitorConfig',
      'no realertMinutes',
      { target: 'https://example.com/', intervalSeconds: 60, failureThreshold: 1, recoveryThreshold: 1 },
    ],
    ['AcknowledgeRequest', 'a 101-character by', { by: 'x'.repeat(101) }],
    [
      'MonitorConfig',
      'an unknown channel type',
      {
        target: 'https://example.com/',
        intervalSeconds: 60,
        failureThreshold: 1,
        recoveryThreshold: 1,
        realertMinutes: 0,
        alerts: [{ type: 'pager', url: 'https://example.com/x' }],
      },
    ],
  ];

  test.each(refused)('%s refuses %s', (name, _label, body) => {
    expect(REQUEST_SCHEMAS[name].safeParse(body).success).toBe(false);
    expect(contract.validateSchema(name, body)).not.toEqual([]);
  });

  // Bodies zod accepts: the document must accept them too.
  const accepted: Array<[string, unknown]> = [
    ['CheckRequest', { targets: ['https://example.com/'] }],
    [
      'CheckRequest',
      {
        name: 'all',
        targets: [
          {
            url: 'https://example.com/',
            method: 'post',
            body: '{}',
            headers: { 'x-key': 'k' },
            expect: { status: ['2xx', 301] },
          },
        ],
      },
    ],
    ['AuditRequest', { url: 'https://example.com/', maxLinks: 1000, sameOriginOnly: true }],
    [
      'MonitorConfig',
      {
        target: { url: 'https://example.com/' },
        intervalSeconds: 10,
        failureThreshold: 100,
        recoveryThreshold: 1,
        realertMinutes: 0,
        webhook: 'https://hooks.example.com/x',
      },
    ],
    ['AcknowledgeRequest', {}],
    [
      'MonitorConfig',
      {
        target: 'https://example.com/',
        intervalSeconds: 60,
        failureThreshold: 2,
        recoveryThreshold: 1,
        realertMinutes: 0,
        alerts: [
          { type: 'webhook', url: 'https://hooks.example.com/a', secret: `whsec_${'A'.repeat(43)}=` },
          { type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
          { type: 'teams', url: 'https://example.logic.azure.com/workflows/x' },
          { type: 'discord', url: 'https://discord.com/api/webhooks/1/x' },
        ],
      },
    ],
  ];

  test.each(accepted)('%s accepts example %#', (name, body) => {
    expect(REQUEST_SCHEMAS[name].safeParse(body).success).toBe(true);
    expect(contract.validateSchema(name, body)).toEqual([]);
  });
});

/** The README section this helper owns: from "## HTTP API" to the next "## " heading. */
function readmeApiSection(): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## HTTP API\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

interface Curl {
  method: string;
  /** Path under the API, e.g. `/monitors/shop`. */
  apiPath: string;
  body?: unknown;
}

/** The curl commands of the section's bash blocks: method, API path and the `-d '...'` body. */
function readmeCurls(section: string): Curl[] {
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\\\n\s*/g, ' '));
  const curls: Curl[] = [];
  for (const line of blocks.join('\n').split('\n')) {
    if (!line.trim().startsWith('curl ')) continue;
    const tokens = [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
    const flag = (name: string) => {
      const i = tokens.indexOf(name);
      return i >= 0 ? tokens[i + 1] : undefined;
    };
    const data = flag('-d');
    const url = tokens.find((t) => t.startsWith('$API'));
    if (!url) continue; // a durable management URL from an earlier answer
    curls.push({
      method: flag('-X') ?? (data === undefined ? 'GET' : 'POST'),
      apiPath: new URL(url.replace('$API', 'http://localhost:7071/api')).pathname.replace(/^\/api/, ''),
      body: data === undefined ? undefined : JSON.parse(data),
    });
  }
  return curls;
}

describe('the README', () => {
  const section = readmeApiSection();
  const curls = readmeCurls(section);

  test('walks through every operation that takes a body, with bodies the document and zod accept', () => {
    const withBody = curls.filter((c) => c.body !== undefined);
    const covered = new Set<string>();
    for (const curl of withBody) {
      const op = contract.operation(curl.method, curl.apiPath) as Operation | undefined;
      expect(op).toBeDefined();
      const name = requestSchemaName(op!);
      expect(name).toBeDefined();
      expect({ example: curl.body, errors: contract.validateSchema(name!, curl.body) }).toEqual({
        example: curl.body,
        errors: [],
      });
      expect(REQUEST_SCHEMAS[name!].safeParse(curl.body).success).toBe(true);
      covered.add(op!.operationId);
    }
    const takingBodies = OPERATIONS.filter((op) => op.requestBody).map((op) => op.operationId);
    expect([...covered].sort()).toEqual([...takingBodies].sort());
  });

  test('calls only documented operations, and shows polling, the run view, listing and stopping', () => {
    const called = curls.map(
      (c) => (contract.operation(c.method, c.apiPath) as Operation | undefined)?.operationId,
    );
    expect(called).not.toContain(undefined);
    expect(called).toEqual(expect.arrayContaining(['getRun', 'getMonitor', 'listMonitors', 'stopMonitor']));
    expect(section).toContain('statusQueryGetUri');
    expect(section).toContain('/api/openapi.json');
  });

  test('shows the problem document the API really sends for its example', () => {
    const example = /```json\n([\s\S]*?)```/.exec(section);
    expect(example).not.toBeNull();
    const parsed = checkRequestSchema().safeParse({ targets: ['ftp://example.com'] });
    expect(parsed.success).toBe(false);
    expect(JSON.parse(example![1])).toEqual(validationProblem(parsed.error!).jsonBody);
  });
});

describe('routes', () => {
  // The built app's registrations, as the Functions host sees them (npm test builds first).
  const registry = loadApp(REPO_ROOT);
  const http = registry.byTriggerType('httpTrigger').map((fn) => ({
    name: fn.name,
    route: String(fn.bindings[fn.triggerBindingName].route),
    authLevel: fn.bindings[fn.triggerBindingName].authLevel,
  }));

  test('the document lists exactly the HTTP functions of the app, at their routes and auth levels', () => {
    const documented = [...new Map(OPERATIONS.map((op) => [op.functionName, op])).values()].map((op) => ({
      name: op.functionName,
      route: op.path.slice(1),
      authLevel: op.anonymous ? 'anonymous' : 'function',
    }));
    const served = http.filter((fn) => fn.name !== 'notFound');
    expect(served.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      documented.sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(http.find((fn) => fn.name === 'notFound')).toEqual({
      name: 'notFound',
      route: notFoundRoute(),
      authLevel: 'anonymous',
    });
  });

  // The Functions host tries routes in function-name order, not by specificity, so the catch-all
  // must refuse every API path by itself; then the order cannot matter.
  const catchAll = parseRouteTemplate(`api/${notFoundRoute()}`);
  const example = (template: string) =>
    template.replace('{name}', 'shop').replace('{instanceId}', 'abc:part-0');

  test.each(OPERATIONS.map((op) => [op.operationId, op.path] as const))(
    'the catch-all refuses the path of %s (%s), which its own route matches',
    (_id, apiPath) => {
      for (const variant of [example(apiPath), `${example(apiPath)}/`, example(apiPath).toUpperCase()]) {
        expect(catchAll.match(`/api${variant}`)).toBeUndefined();
        expect(parseRouteTemplate(`api${apiPath}`).match(`/api${variant}`)).toBeDefined();
      }
    },
  );

  test.each([
    '/api/nope',
    '/api/checks/extra',
    '/api/monitors/a/b/c',
    '/api/runs',
    '/api/openapi.json/x',
    '/api/openapi-json',
  ])('the catch-all takes the unknown path %s', (unknown) => {
    expect(catchAll.match(unknown)).toBeDefined();
  });
});
