// Activity `checkUrl`: one synthetic check. A target that is down, slow or wrong is a result
// (`ok: false` with an error code); the activity throws only when something on our side broke, which
// the orchestrator's retry policy then handles. Nothing here logs or returns request headers or body.
import * as df from 'durable-functions';
import { evaluate } from '../core/assertions';
import { parseCheckTarget, type CheckResult, type CheckSpec } from '../core/checkSpec';
import { guardedRequest } from './http/guardedRequest';
import type { GuardedAgents } from './http/agents';

/**
 * Body bytes a check reads at most. A larger body is TOO_LARGE whether or not the body is needed,
 * so a check's outcome does not depend on which assertions it has. Bodies are only kept in memory
 * for bodyContains; otherwise they are drained and counted (which also keeps the socket reusable).
 */
export const CHECK_MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface CheckUrlOptions {
  /** Clock for checkedAt and certificate days left. */
  now?: () => Date;
  /** Agents to use instead of the process defaults (tests: injected resolver, address policy, test CA). */
  agents?: GuardedAgents;
  /** Default: settings.allowPrivateNetworks() at call time. */
  allowPrivateNetworks?: boolean;
  maxBodyBytes?: number;
}

export async function checkUrl(spec: CheckSpec, options: CheckUrlOptions = {}): Promise<CheckResult> {
  const now = options.now ?? (() => new Date());
  const checkedAt = now().toISOString();
  const needBody = spec.expect?.bodyContains !== undefined;
  const outcome = await guardedRequest(spec.url, {
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    timeoutMs: spec.timeoutMs,
    followRedirects: spec.followRedirects,
    forwardAcrossOrigins: spec.forwardAcrossOrigins,
    maxBodyBytes: options.maxBodyBytes ?? CHECK_MAX_BODY_BYTES,
    bodyLimitMode: 'fail',
    keepBody: needBody,
    agents: options.agents,
    allowPrivateNetworks: options.allowPrivateNetworks,
    now,
  });
  const common = {
    url: spec.url,
    finalUrl: outcome.finalUrl,
    latencyMs: outcome.latencyMs,
    redirects: outcome.redirects,
    checkedAt,
    bytesRead: outcome.bytesRead,
  };
  if (!outcome.ok) {
    return {
      ...common,
      ok: false,
      ...(outcome.status !== undefined && { status: outcome.status }),
      assertions: [],
      error: outcome.error,
    };
  }
  const evaluation = evaluate(spec.expect, {
    status: outcome.status,
    latencyMs: outcome.latencyMs,
    body: needBody ? outcome.body.toString('utf8') : undefined,
    certDaysLeft: outcome.certDaysLeft,
  });
  return {
    ...common,
    ok: evaluation.ok,
    status: outcome.status,
    ...(outcome.certDaysLeft !== undefined && { certDaysLeft: outcome.certDaysLeft }),
    assertions: evaluation.assertions,
    ...(evaluation.error && { error: evaluation.error }),
  };
}

/**
 * The activity entry point (a CheckSpec, or a plain URL string). Input that is not a valid check cannot succeed on retry, so it is an
 * INVALID result rather than a throw. Issue messages name fields, never header or body values.
 */
export async function checkUrlActivity(input: unknown, options: CheckUrlOptions = {}): Promise<CheckResult> {
  const parsed = parseCheckTarget(input);
  if (parsed.success) return checkUrl(parsed.data, options);
  const url = (input as { url?: unknown } | null)?.url;
  const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
  return {
    url: typeof url === 'string' ? url : '',
    finalUrl: typeof url === 'string' ? url : '',
    ok: false,
    latencyMs: 0,
    redirects: [],
    assertions: [],
    error: { code: 'INVALID', message: `Invalid check: ${message}` },
    checkedAt: (options.now?.() ?? new Date()).toISOString(),
    bytesRead: 0,
  };
}

df.app.activity('checkUrl', { handler: (input: unknown) => checkUrlActivity(input) });
