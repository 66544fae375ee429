// Builds the OpenAPI 3.1 document from the zod schemas the handlers validate with (requests, io
// 'input') and type their answers with (responses, io 'output'), so the document cannot drift from
// the code. Limits that come from settings (targets per request, the ?wait cap) are passed in.
import { z } from 'zod';
import {
  AcknowledgeAccepted,
  ManagementUrls,
  MonitorCreated,
  MonitorList,
  MonitorPausing,
  MonitorReconfigured,
  MonitorResuming,
  MonitorResource,
  MonitorStopping,
  OrchestrationStatus,
  Problem,
  PublicMonitorConfig,
  PublicTarget,
  ReportLink,
  RunId,
  RunView,
  CheckRunOutput,
  TestAlertAccepted,
} from '../core/apiSchemas';
import { AuditCounts, AuditOutput, AuditRequest } from '../core/auditSchemas';
import { CheckSpec, CheckTarget, checkRequestSchema, HTTP_METHODS, HttpUrl } from '../core/checkSpec';
import { MonitorConfig, MonitorName, MonitorState } from '../core/monitorSchemas';
import { StatusDocument } from '../core/statusModel';
import { Summary } from '../core/summary';
import { AcknowledgeEvent, PauseEvent } from '../core/watch';
import { waitQuerySchema } from '../functions/http/started';
import { version } from '../version';
import {
  OPERATIONS,
  type HeaderName,
  type OperationSpec,
  type ParameterSpec,
  type ResponseSpec,
} from './operations';

export interface OpenApiOptions {
  /** Targets accepted per check request (settings.maxTargets()). */
  maxTargets: number;
  /** The `?wait` cap in seconds (settings.maxWaitSeconds()). */
  maxWaitSeconds: number;
  /** The API's base URL, e.g. `http://localhost:7071/api`; default `/api` (relative to the document). */
  serverUrl?: string;
}

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
  };
}

const COMPONENTS = '#/components/schemas/';
const ref = (name: string) => ({ $ref: `${COMPONENTS}${name}` });

type Registry = z.core.$ZodRegistry<{ id: string }>;

function registry(entries: Record<string, z.ZodType>): Registry {
  const result = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(entries)) result.add(schema, { id });
  return result;
}

/** Component schemas of one registry, without the per-schema `$schema`/`$id` zod adds. */
function components(reg: Registry, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(reg, {
    target: 'draft-2020-12',
    io,
    uri: (id) => `${COMPONENTS}${id}`,
    override: ({ zodSchema, jsonSchema }) => describeInput(zodSchema, jsonSchema),
  }) as { schemas: Record<string, JsonSchema> };
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return schemas;
}

/**
 * What JSON Schema cannot learn from zod by itself: CheckTarget preprocesses a plain URL string into
 * `{ url }` (zod only sees the CheckSpec behind it), and refinements (URL syntax, case-insensitive
 * methods) are prose.
 */
function describeInput(zodSchema: unknown, jsonSchema: JsonSchema): void {
  if (zodSchema === CheckTarget) {
    const spec = { ...jsonSchema };
    for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
    Object.assign(jsonSchema, {
      description: 'A CheckSpec, or a plain URL string meaning `{ "url": "..." }`.',
      anyOf: [ref('HttpUrl'), spec],
    });
  } else if (zodSchema === HttpUrl) {
    jsonSchema.description =
      'An absolute http or https URL without user:password (send credentials in headers).';
  } else if (zodSchema === CheckSpec.shape.method) {
    jsonSchema.description = `HTTP method, any case: ${HTTP_METHODS.join(', ')}. GET and HEAD take no body.`;
  } else if (zodSchema === CheckSpec.shape.headers) {
    jsonSchema.description =
      'Request headers (at most 50). Values are never logged or stored; hop-by-hop and framing headers are refused.';
  }
}

function parameterSchema(name: ParameterSpec['schema'], options: OpenApiOptions): JsonSchema {
  const schemas: Record<ParameterSpec['schema'], z.ZodType> = {
    MonitorName,
    RunId,
    WaitSeconds: waitQuerySchema(options.maxWaitSeconds),
  };
  const schema = z.toJSONSchema(schemas[name], { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
  delete schema.$schema;
  return schema;
}

const HEADERS: Record<HeaderName, unknown> = {
  Location: {
    description: 'Where to look next: the run status (202 from a starter) or the monitor.',
    required: true,
    schema: { type: 'string', format: 'uri' },
  },
  'Retry-After': {
    description: 'Seconds to wait before following Location.',
    required: true,
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  Allow: {
    description: 'The methods this path supports.',
    required: true,
    schema: { type: 'string' },
  },
  ETag: {
    description:
      'A validator of the body; send it back as If-None-Match. Strong for an uncompressed body; a br or ' +
      'gzip body (see Accept-Encoding) has its own weak one, with the coding as a suffix.',
    required: true,
    schema: { type: 'string' },
  },
  'Cache-Control': {
    description: 'How long shared caches may keep the answer.',
    required: true,
    schema: { type: 'string' },
  },
};

function response(spec: ResponseSpec, status: string) {
  const headers = spec.headers && {
    headers: Object.fromEntries(spec.headers.map((name) => [name, HEADERS[name]])),
  };
  // Not Modified never has a body.
  if (status === '304') return { description: spec.description, ...headers };
  if (spec.media !== undefined) {
    return {
      description: spec.description,
      ...headers,
      content: { [spec.media]: { schema: { type: 'string' } } },
    };
  }
  const problem = spec.schema === undefined && spec.anyOf === undefined;
  const schema = problem ? ref('Problem') : spec.anyOf ? { anyOf: spec.anyOf.map(ref) } : ref(spec.schema!);
  return {
    description: spec.description,
    ...headers,
    content: {
      [problem || Number(status) >= 400 ? 'application/problem+json' : 'application/json']: { schema },
      ...(spec.alsoHtml && { 'text/html': { schema: { type: 'string' } } }),
    },
  };
}

function operation(spec: OperationSpec, options: OpenApiOptions) {
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description && { description: spec.description }),
    'x-azure-function': spec.functionName,
    ...(spec.anonymous && { security: [] }),
    ...(spec.parameters && {
      parameters: spec.parameters.map((p) => ({
        name: p.name,
        in: p.in,
        required: p.in === 'path',
        description: p.description,
        schema: parameterSchema(p.schema, options),
      })),
    }),
    ...(spec.requestBody && {
      requestBody: {
        required: spec.requestBody.required,
        description: spec.requestBody.description,
        content: { 'application/json': { schema: ref(spec.requestBody.schema) } },
      },
    }),
    responses: {
      ...Object.fromEntries(
        Object.entries(spec.responses).map(([status, r]) => [status, response(r, status)]),
      ),
      default: { $ref: '#/components/responses/Error' },
    },
  };
}

const DESCRIPTION = `Website checks, link audits and uptime monitors on Azure Durable Functions.

**Long jobs** (checks, audits) answer \`202\` with \`Location\` (the run's status URL), \`Retry-After\`
(seconds) and a body holding the Durable Functions management URLs: \`statusQueryGetUri\`,
\`sendEventPostUri\`, \`terminatePostUri\`, \`purgeHistoryDeleteUri\`, .... Add \`?wait=<seconds>\` to wait
for the result (answered \`200\` if the run finishes in time). \`GET /runs/{instanceId}\` shows any run.

**Errors** are \`application/problem+json\` (RFC 9457) on every path: \`400\` names each invalid field in
\`errors\`, an unknown id or path gets \`404\`, and a method a path does not support gets \`405\` with
\`Allow\`. A request that is answered \`400\` starts nothing.

**Keys:** in Azure every operation except this document, the status page, its JSON and the badges needs a function key, as the
\`x-functions-key\` header or the \`code\` query parameter; \`func start\` needs none.

**Compression:** the status page, its JSON, run views and this document come as \`br\` or \`gzip\` when
\`Accept-Encoding\` allows it (over 1 KiB), with \`Vary: Accept-Encoding\`.`;

/** The OpenAPI 3.1 document of the Sitewatch HTTP API. */
export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const requests = components(
    registry({
      CheckRequest: checkRequestSchema({ maxTargets: options.maxTargets }),
      CheckTarget,
      CheckSpec,
      HttpUrl,
      AuditRequest,
      MonitorConfig,
      AcknowledgeRequest: AcknowledgeEvent,
      PauseRequest: PauseEvent,
    }),
    'input',
  );
  const responses = components(
    registry({
      Problem,
      ManagementUrls,
      CheckRunOutput,
      AuditOutput,
      OrchestrationStatus,
      RunView,
      MonitorResource,
      MonitorList,
      MonitorCreated,
      MonitorReconfigured,
      MonitorStopping,
      MonitorPausing,
      MonitorResuming,
      TestAlertAccepted,
      AcknowledgeAccepted,
      Summary,
      AuditCounts,
      ReportLink,
      MonitorState,
      PublicMonitorConfig,
      PublicTarget,
      StatusDocument,
    }),
    'output',
  );
  const clash = Object.keys(requests).find((name) => name in responses);
  if (clash) throw new Error(`OpenAPI component ${clash} is both a request and a response schema`);

  const paths: OpenApiDocument['paths'] = {};
  for (const spec of OPERATIONS) {
    paths[spec.path] = { ...paths[spec.path], [spec.method]: operation(spec, options) };
  }

  return {
    openapi: '3.1.0',
    info: { title: 'Sitewatch API', version, description: DESCRIPTION },
    servers: [{ url: options.serverUrl ?? '/api' }],
    security: [{ functionKey: [] }, { functionKeyQuery: [] }],
    tags: [
      { name: 'checks', description: 'Fan-out/fan-in checks of many targets.' },
      { name: 'audits', description: 'Link audits of one page (function chaining).' },
      {
        name: 'monitors',
        description:
          'Uptime monitors with incidents, acknowledgement, pause/resume and alert channels ' +
          '(webhook signed per Standard Webhooks, Slack, Teams Workflows, Discord).',
      },
      { name: 'runs', description: 'Any run, by instance id.' },
      { name: 'status', description: 'The public status page, its data and README badges (no key needed).' },
      { name: 'meta', description: 'About the API.' },
    ],
    paths,
    components: {
      schemas: {
        ...requests,
        ...responses,
        OpenApiDocument: {
          type: 'object',
          required: ['openapi', 'info', 'paths'],
          properties: {
            openapi: { type: 'string', pattern: '^3\\.1\\.' },
            info: { type: 'object' },
            paths: { type: 'object' },
          },
        },
      },
      responses: {
        Error: {
          description: 'Any other error, e.g. 500 (the details are in the logs, under the invocation id).',
          content: { 'application/problem+json': { schema: ref('Problem') } },
        },
      },
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
      },
    },
  };
}
