// What the HTTP API answers, as zod schemas. The handlers type their bodies with these and the
// OpenAPI document is generated from them (src/openapi), so the document describes what is sent.
// Request schemas live next to their domain (checkSpec, auditSchemas, monitorSchemas, watch).
import { z } from 'zod';
import { AuditCounts } from './auditSchemas';
import { CheckSpec } from './checkSpec';
import { PublicChannel } from './alertChannels';
import { MonitorConfig, MonitorName, MonitorState } from './monitorSchemas';
import { Summary } from './summary';

/** An ISO 8601 UTC time as Date#toISOString writes it (how the status times reach JSON). */
const Time = z.iso.datetime();

/** The `{instanceId}` path segment: any durable instance id that fits in one URL segment. */
export const RunId = z
  .string()
  .min(1)
  .max(256)
  .refine(
    (id) => !/[/\\#?]/.test(id) && ![...id].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
    { message: 'must not contain /, \\, #, ? or control characters' },
  );

export const FieldError = z.object({
  /** Where the offending value is in the request, e.g. `targets[3].url`, `wait`, `name`. */
  field: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

/** RFC 9457 problem details: the body of every error answer (`application/problem+json`). */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int().min(400).max(599),
  detail: z.string().optional(),
  instance: z.string().optional(),
  /** One entry per invalid field (400 only). */
  errors: z.array(FieldError).optional(),
});
export type Problem = z.infer<typeof Problem>;

export const RuntimeStatus = z.enum([
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Canceled',
  'Terminated',
  'Suspended',
]);
export type RuntimeStatus = z.infer<typeof RuntimeStatus>;

/**
 * The Durable Functions management URLs of one instance. The templates keep their placeholders:
 * `{eventName}` in sendEventPostUri, `{text}` (the reason) in terminatePostUri and friends.
 * Loose, because the extension owns this shape and may add links.
 */
export const ManagementUrls = z.looseObject({
  id: z.string(),
  statusQueryGetUri: z.url(),
  sendEventPostUri: z.string(),
  terminatePostUri: z.string(),
  purgeHistoryDeleteUri: z.url(),
  rewindPostUri: z.string().optional(),
  restartPostUri: z.string().optional(),
  suspendPostUri: z.string().optional(),
  resumePostUri: z.string().optional(),
});
export type ManagementUrls = z.infer<typeof ManagementUrls>;

/** A report saved to blob storage (`bytes` for check reports). */
export const ReportLink = z.object({
  container: z.string(),
  blob: z.string(),
  url: z.string(),
  bytes: z.int().min(0).optional(),
});
export type ReportLink = z.infer<typeof ReportLink>;

/** What `checkSites` returns for a request made through the API or the queue. */
export const CheckRunOutput = z.object({
  name: z.string().nullable(),
  summary: Summary,
  report: ReportLink.required({ bytes: true }),
});
export type CheckRunOutput = z.infer<typeof CheckRunOutput>;

/**
 * The durable status of an instance as the SDK answers `?wait` for a run that was terminated
 * while the caller waited. Loose: the extension owns this shape.
 */
export const OrchestrationStatus = z.looseObject({
  name: z.string(),
  instanceId: z.string(),
  runtimeStatus: RuntimeStatus,
  createdTime: Time,
  lastUpdatedTime: Time,
});

/** GET /api/runs/{instanceId}: any run, in one view. */
export const RunView = z.object({
  instanceId: z.string(),
  /** The orchestrator: checkSites, auditSite or watchSite. */
  orchestrator: z.string(),
  runtimeStatus: RuntimeStatus,
  createdTime: Time,
  lastUpdatedTime: Time,
  /** The run's customStatus: `{ completed, total }` for checks, `{ step }` for audits, the live state of a monitor. */
  progress: z.unknown(),
  /** A completed check run's Summary, or a completed audit's counts; null otherwise. */
  summary: z.union([Summary, AuditCounts]).nullable(),
  /** Where the full report of a completed run is. */
  report: ReportLink.nullable(),
  /** The output of a completed run. */
  output: z.unknown(),
  /** Why the run failed (Failed runs only). */
  error: z.string().nullable(),
  links: ManagementUrls,
});
export type RunView = z.infer<typeof RunView>;

/** A monitor's target as anyone may see it: header names but not their values, no body. */
export const PublicTarget = z.object({
  ...CheckSpec.shape,
  headers: z.array(z.string()).optional(),
  body: z.literal('(set)').optional(),
});

export const PublicMonitorConfig = z.object({
  ...MonitorConfig.shape,
  target: PublicTarget,
  /** The webhook with its secret path masked. */
  webhook: z.string().optional(),
  /** The channels with their URLs masked; a webhook secret shows only as `(set)`. */
  alerts: z.array(PublicChannel).optional(),
});

/** GET /api/monitors/{name}: one monitor, live. */
export const MonitorResource = z.object({
  name: MonitorName,
  instanceId: z.string(),
  runtimeStatus: RuntimeStatus,
  /** False once the monitor was stopped, terminated or failed. */
  running: z.boolean(),
  /** Start of the monitor's current generation: Azure Storage resets it at every continueAsNew. */
  createdTime: Time,
  lastUpdatedTime: Time,
  /** True while paused (POST .../pause): no checks, no alerts until POST .../resume. */
  paused: z.boolean(),
  /** Null until the monitor has published its first state. */
  config: PublicMonitorConfig.nullable(),
  state: MonitorState.nullable(),
});
export type MonitorResource = z.infer<typeof MonitorResource>;

export const MonitorList = z.object({ monitors: z.array(MonitorResource) });

/** PUT 201: a new monitor; `monitor` is its URL (also in Location). */
export const MonitorCreated = ManagementUrls.extend({
  name: MonitorName,
  instanceId: z.string(),
  created: z.literal(true),
  monitor: z.url(),
});

/** PUT 202: the running monitor takes the new configuration on its next wake-up. */
export const MonitorReconfigured = ManagementUrls.extend({
  name: MonitorName,
  instanceId: z.string(),
  reconfigured: z.literal(true),
  monitor: z.url(),
});

/** DELETE 202: the monitor stops on its next wake-up. */
export const MonitorStopping = ManagementUrls.extend({
  name: MonitorName,
  stopping: z.literal(true),
  monitor: z.url(),
});

/** POST ack 202: the open incident is being acknowledged. */
export const AcknowledgeAccepted = ManagementUrls.extend({
  name: MonitorName,
  incident: z.string(),
  acknowledging: z.literal(true),
  monitor: z.url(),
});

/** POST pause 202: the monitor pauses on its next wake-up (at once when it is waiting). */
export const MonitorPausing = ManagementUrls.extend({
  name: MonitorName,
  pausing: z.literal(true),
  monitor: z.url(),
});

/** POST resume 202. */
export const MonitorResuming = ManagementUrls.extend({
  name: MonitorName,
  resuming: z.literal(true),
  monitor: z.url(),
});

/** POST test-alert 202: a TEST alert goes to each of `channels`; state.channels shows each delivery. */
export const TestAlertAccepted = ManagementUrls.extend({
  name: MonitorName,
  testing: z.literal(true),
  channels: z.int().min(0),
  monitor: z.url(),
});
