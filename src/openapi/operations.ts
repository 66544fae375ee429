// The API's operations as data: path, method, the function that serves it, its inputs and its
// answers. Schemas are named here and generated from zod in document.ts; the catch-all route
// (apiRoutes.ts) and the e2e suite read the same list, so an endpoint cannot be left out of one.

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** Response headers the async pattern relies on. */
export type HeaderName = 'Location' | 'Retry-After' | 'Allow' | 'ETag' | 'Cache-Control';

export interface ResponseSpec {
  description: string;
  /** A component name from the response schemas; absent for a problem document. */
  schema?: string;
  /** Alternatives (anyOf) when one status can carry different bodies. */
  anyOf?: string[];
  headers?: HeaderName[];
  /** A non-JSON body: an HTML page or an SVG image (a string). */
  media?: 'text/html' | 'image/svg+xml';
  /** The same answer is also served as HTML to a client that prefers text/html (a browser). */
  alsoHtml?: boolean;
}

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query';
  /** A component-free schema name understood by document.ts (see PARAMETER_SCHEMAS there). */
  schema: 'MonitorName' | 'RunId' | 'WaitSeconds';
  description: string;
}

export interface OperationSpec {
  /** Path under the API's base URL (`/api`), in OpenAPI template syntax. */
  path: string;
  method: Method;
  operationId: string;
  /** The Azure Function whose route serves this path (one function may serve several methods). */
  functionName: string;
  tag: 'checks' | 'audits' | 'monitors' | 'runs' | 'status' | 'meta';
  summary: string;
  description?: string;
  parameters?: ParameterSpec[];
  requestBody?: { schema: string; required: boolean; description: string };
  responses: Record<string, ResponseSpec>;
  /** Served without a function key (authLevel anonymous). */
  anonymous?: boolean;
}

const WAIT: ParameterSpec = {
  name: 'wait',
  in: 'query',
  schema: 'WaitSeconds',
  description:
    'Seconds to wait for the run to finish before answering. 0 (the default) answers 202 at once; ' +
    'a run that finishes in time is answered 200 with its output. Capped by SITEWATCH_MAX_WAIT_SECONDS.',
};
const MONITOR_NAME: ParameterSpec = {
  name: 'name',
  in: 'path',
  schema: 'MonitorName',
  description: 'The monitor, a DNS label; its instance id is `monitor:{name}`.',
};
const INSTANCE_ID: ParameterSpec = {
  name: 'instanceId',
  in: 'path',
  schema: 'RunId',
  description: 'Any orchestration instance id: the `id` of a 202 answer, `monitor:{name}`, `sweep-…`.',
};

const badRequest: ResponseSpec = { description: 'Invalid input; `errors` names each field and why.' };
const tooLarge: ResponseSpec = { description: 'The body is larger than 1 MiB.' };
const checksTooLarge: ResponseSpec = {
  description:
    'The body is larger than 1 MiB, or than 256 bytes per accepted target (`maxItems` of `targets`) ' +
    'when that is more.',
};
const notFound = (what: string): ResponseSpec => ({ description: `No ${what}.` });

const STARTED: ResponseSpec = {
  description:
    'The run was started. Poll `Location` (= `statusQueryGetUri`) after `Retry-After` seconds until it ' +
    'stops answering 202; the body also holds the other management URLs.',
  schema: 'ManagementUrls',
  headers: ['Location', 'Retry-After'],
};
/** The answer when If-None-Match names the ETag of the variant the request would get. */
const NOT_MODIFIED = { description: 'Not changed since the ETag in If-None-Match; no body.' };
/** Both badges answer alike: cacheable SVG with an ETag, 304 on a match. */
const BADGE_RESPONSES: OperationSpec['responses'] = {
  '200': { description: 'The badge.', media: 'image/svg+xml', headers: ['ETag', 'Cache-Control'] },
  '304': {
    description: 'The badge has not changed since the ETag in If-None-Match.',
    media: 'image/svg+xml',
  },
  '400': badRequest,
  '404': notFound('running monitor with this name'),
};

const FAILED_WHILE_WAITING: ResponseSpec = {
  description: 'The run failed while the caller waited; `instance` is its status URL.',
};

export const OPERATIONS: readonly OperationSpec[] = [
  {
    path: '/checks',
    method: 'post',
    operationId: 'startChecks',
    functionName: 'startChecks',
    tag: 'checks',
    summary: 'Check targets in parallel (orchestrator checkSites)',
    description:
      'Checks every target in parallel and aggregates one summary; the full report is saved to blob storage. ' +
      'Every target is validated before anything starts.',
    parameters: [WAIT],
    requestBody: { schema: 'CheckRequest', required: true, description: 'The targets and an optional name.' },
    responses: {
      '200': {
        description: 'With `?wait`: the run finished in time (its output), or was terminated (its status).',
        anyOf: ['CheckRunOutput', 'OrchestrationStatus'],
      },
      '202': STARTED,
      '400': badRequest,
      '413': checksTooLarge,
      '500': FAILED_WHILE_WAITING,
    },
  },
  {
    path: '/audits',
    method: 'post',
    operationId: 'startAudit',
    functionName: 'startAudit',
    tag: 'audits',
    summary: 'Audit the links of one page (orchestrator auditSite)',
    description: 'Fetches the page, extracts its links, checks them and saves the audit report.',
    parameters: [WAIT],
    requestBody: { schema: 'AuditRequest', required: true, description: 'The page and the audit options.' },
    responses: {
      '200': {
        description: 'With `?wait`: the audit finished in time (its output), or was terminated (its status).',
        anyOf: ['AuditOutput', 'OrchestrationStatus'],
      },
      '202': STARTED,
      '400': badRequest,
      '413': tooLarge,
      '500': FAILED_WHILE_WAITING,
    },
  },
  {
    path: '/monitors',
    method: 'get',
    operationId: 'listMonitors',
    functionName: 'listMonitors',
    tag: 'monitors',
    summary: 'Every monitor that is running or ended abnormally',
    responses: { '200': { description: 'The monitors, by name.', schema: 'MonitorList' } },
  },
  {
    path: '/monitors/{name}',
    method: 'get',
    operationId: 'getMonitor',
    functionName: 'monitor',
    tag: 'monitors',
    summary: 'One monitor: status, last results, uptime, open incident',
    parameters: [MONITOR_NAME],
    responses: {
      '200': { description: 'The monitor.', schema: 'MonitorResource' },
      '400': badRequest,
      '404': notFound('monitor with this name'),
    },
  },
  {
    path: '/monitors/{name}',
    method: 'put',
    operationId: 'putMonitor',
    functionName: 'monitor',
    tag: 'monitors',
    summary: 'Create a monitor, or reconfigure the running one (orchestrator watchSite)',
    parameters: [MONITOR_NAME],
    requestBody: { schema: 'MonitorConfig', required: true, description: 'What to check and when to alert.' },
    responses: {
      '201': {
        description: 'Created; `Location` is the monitor, the body holds its management URLs.',
        schema: 'MonitorCreated',
        headers: ['Location'],
      },
      '202': {
        description: 'The running monitor takes the new configuration; follow `Location` to see it.',
        schema: 'MonitorReconfigured',
        headers: ['Location', 'Retry-After'],
      },
      '400': badRequest,
      '409': { description: 'Another request is creating this monitor; retry.' },
      '413': tooLarge,
    },
  },
  {
    path: '/monitors/{name}',
    method: 'delete',
    operationId: 'stopMonitor',
    functionName: 'monitor',
    tag: 'monitors',
    summary: 'Stop a monitor',
    parameters: [MONITOR_NAME],
    responses: {
      '202': {
        description: 'The monitor stops; follow `Location` until `running` is false.',
        schema: 'MonitorStopping',
        headers: ['Location', 'Retry-After'],
      },
      '400': badRequest,
      '404': notFound('running monitor with this name'),
    },
  },
  {
    path: '/monitors/{name}/ack',
    method: 'post',
    operationId: 'acknowledgeMonitor',
    functionName: 'acknowledgeMonitor',
    tag: 'monitors',
    summary: 'Acknowledge the open incident (stops its re-alerts)',
    parameters: [MONITOR_NAME],
    requestBody: {
      schema: 'AcknowledgeRequest',
      required: false,
      description: 'Who acknowledges; the body may be empty.',
    },
    responses: {
      '202': {
        description: 'The incident is being acknowledged; follow `Location` to see `acknowledgedAt`.',
        schema: 'AcknowledgeAccepted',
        headers: ['Location', 'Retry-After'],
      },
      '400': badRequest,
      '413': tooLarge,
      '404': notFound('running monitor with this name'),
      '409': { description: 'The monitor has no open incident, or it is already acknowledged.' },
    },
  },
  {
    path: '/monitors/{name}/pause',
    method: 'post',
    operationId: 'pauseMonitor',
    functionName: 'pauseMonitor',
    tag: 'monitors',
    summary: 'Pause a monitor: no checks and no alerts until resumed',
    description:
      'The pause survives continueAsNew and restarts; pausing a paused monitor changes nothing. ' +
      'The monitor view shows `paused: true` and `state.paused` (when and by whom).',
    parameters: [MONITOR_NAME],
    requestBody: {
      schema: 'PauseRequest',
      required: false,
      description: 'Who pauses; the body may be empty.',
    },
    responses: {
      '202': {
        description: 'The monitor pauses; follow `Location` to see `paused`.',
        schema: 'MonitorPausing',
        headers: ['Location', 'Retry-After'],
      },
      '400': badRequest,
      '413': tooLarge,
      '404': notFound('running monitor with this name'),
    },
  },
  {
    path: '/monitors/{name}/resume',
    method: 'post',
    operationId: 'resumeMonitor',
    functionName: 'resumeMonitor',
    tag: 'monitors',
    summary: 'Resume a paused monitor; a check that fell due meanwhile runs at once',
    parameters: [MONITOR_NAME],
    responses: {
      '202': {
        description: 'The monitor resumes; follow `Location`.',
        schema: 'MonitorResuming',
        headers: ['Location', 'Retry-After'],
      },
      '400': badRequest,
      '404': notFound('running monitor with this name'),
    },
  },
  {
    path: '/monitors/{name}/test-alert',
    method: 'post',
    operationId: 'testAlertMonitor',
    functionName: 'testAlertMonitor',
    tag: 'monitors',
    summary: 'Send a TEST alert to every channel of the monitor',
    description:
      "Sent even while paused (it tests the channels, not the target). Each channel's delivery " +
      '(time, ok, status or error, attempt; `poisoned` once it gave up) appears in `state.channels`.',
    parameters: [MONITOR_NAME],
    responses: {
      '202': {
        description: 'The alert is queued for each channel; follow `Location` to see the deliveries.',
        schema: 'TestAlertAccepted',
        headers: ['Location', 'Retry-After'],
      },
      '400': badRequest,
      '404': notFound('running monitor with this name'),
      '409': { description: 'The monitor has no alert channels.' },
    },
  },
  {
    path: '/runs/{instanceId}',
    method: 'get',
    operationId: 'getRun',
    functionName: 'getRun',
    tag: 'runs',
    summary: 'Any run in one view: status, progress, summary, report and links',
    parameters: [INSTANCE_ID],
    responses: {
      '200': {
        description:
          'The run. A client whose Accept header prefers `text/html` (a browser) gets a page instead: progress ' +
          '(reloading while the run is active), summary, latency histogram and every result, failures first; ' +
          'an audit shows its broken, redirected and slow links with the pages they were found on.',
        schema: 'RunView',
        alsoHtml: true,
      },
      '400': badRequest,
      '404': notFound('run with this id'),
    },
  },
  {
    path: '/status',
    method: 'get',
    operationId: 'getStatusPage',
    functionName: 'statusPage',
    tag: 'status',
    summary: 'The public status page (HTML)',
    description:
      'Every running monitor with its state, uptime (24 h, 7, 30 and 90 days), a 90-day bar, a 24-hour ' +
      'response-time chart and its open incident, then the incidents of the last 30 days. Server-rendered; ' +
      'target URLs only with SITEWATCH_STATUS_SHOW_URLS=true.',
    anonymous: true,
    responses: {
      '200': { description: 'The page.', media: 'text/html', headers: ['ETag', 'Cache-Control'] },
      '304': NOT_MODIFIED,
    },
  },
  {
    path: '/status.json',
    method: 'get',
    operationId: 'getStatus',
    functionName: 'statusJson',
    tag: 'status',
    summary: 'The status page as data',
    anonymous: true,
    responses: {
      '200': {
        description: 'The status.',
        schema: 'StatusDocument',
        headers: ['ETag', 'Cache-Control'],
      },
      '304': NOT_MODIFIED,
    },
  },
  {
    path: '/badges/{name}/status.svg',
    method: 'get',
    operationId: 'getStatusBadge',
    functionName: 'statusBadge',
    tag: 'status',
    summary: "A badge with the monitor's state (up, down, degraded, pending, paused)",
    anonymous: true,
    parameters: [MONITOR_NAME],
    responses: BADGE_RESPONSES,
  },
  {
    path: '/badges/{name}/uptime.svg',
    method: 'get',
    operationId: 'getUptimeBadge',
    functionName: 'uptimeBadge',
    tag: 'status',
    summary: "A badge with the monitor's 30-day uptime",
    anonymous: true,
    parameters: [MONITOR_NAME],
    responses: BADGE_RESPONSES,
  },
  {
    path: '/openapi.json',
    method: 'get',
    operationId: 'getOpenApiDocument',
    functionName: 'openapi',
    tag: 'meta',
    summary: 'This document',
    anonymous: true,
    responses: {
      '200': { description: 'The OpenAPI 3.1 document.', schema: 'OpenApiDocument', headers: ['ETag'] },
      '304': NOT_MODIFIED,
    },
  },
];
