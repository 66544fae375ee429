import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import { monitorInstanceId, monitorNameFromInstanceId } from '../core/instanceIds';
import { MonitorConfig, MonitorName } from '../core/monitorSchemas';
import { AcknowledgeEvent, MONITOR_EVENTS, PauseEvent, type MonitorView } from '../core/watch';
import { ACTIVE_STATUSES, findStatus, startedElsewhere } from './durableStatus';
import { parseJsonBody, parseOptionalJsonBody, type Parsed } from './http/body';
import { problem, validationProblem } from './http/problem';
import { durableRoute } from './http/route';

const { OrchestrationRuntimeStatus: S } = df;

function parseName(request: HttpRequest): Parsed<string> {
  const result = MonitorName.safeParse(request.params.name ?? '');
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, response: validationProblem(result.error, 'name') };
}

function monitorUrl(request: HttpRequest, name: string): string {
  return new URL(`monitors/${name}`, request.url.replace(/monitors(\/.*)?(\?.*)?$/, '')).href;
}

/** The API's view of one monitor: its live state from customStatus plus the instance's status. */
function toMonitor(status: DurableOrchestrationStatus) {
  const view = (status.customStatus ?? null) as MonitorView | null;
  return {
    name: monitorNameFromInstanceId(status.instanceId),
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    running: ACTIVE_STATUSES.has(status.runtimeStatus),
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    /** Paused monitors neither check nor alert until resumed. */
    paused: view?.paused ?? false,
    config: view?.config ?? null,
    state: view?.state ?? null,
  };
}

async function activeMonitor(client: DurableClient, name: string) {
  const status = await findStatus(client, monitorInstanceId(name));
  return status && ACTIVE_STATUSES.has(status.runtimeStatus) ? status : undefined;
}

const notFound = (name: string): HttpResponseInit =>
  problem(404, { detail: `No running monitor named ${name}.` });

/** 202 for a change the monitor applies when it next wakes: where to watch it, and its management URLs. */
function accepted(
  request: HttpRequest,
  client: DurableClient,
  name: string,
  body: Record<string, unknown>,
): HttpResponseInit {
  const location = monitorUrl(request, name);
  return {
    status: 202,
    headers: { location, 'retry-after': '5' },
    jsonBody: { ...client.createHttpManagementPayload(monitorInstanceId(name)), ...body, monitor: location },
  };
}

// GET /api/monitors: every monitor that is running or ended abnormally (stopped ones are gone).
durableRoute('listMonitors', 'monitors', {
  GET: async (_request, client) => {
    const statuses = await client.getStatusBy({
      runtimeStatus: [S.Pending, S.Running, S.ContinuedAsNew, S.Suspended, S.Failed, S.Terminated],
    });
    const monitors = statuses
      .filter((s) => monitorNameFromInstanceId(s.instanceId) !== undefined)
      .map(toMonitor)
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    return { status: 200, jsonBody: { monitors } };
  },
});

durableRoute('monitor', 'monitors/{name}', {
  GET: async (request, client) => {
    const name = parseName(request);
    if (!name.ok) return name.response;
    const status = await findStatus(client, monitorInstanceId(name.value));
    if (!status) return problem(404, { detail: `No monitor named ${name.value}.` });
    return { status: 200, jsonBody: toMonitor(status) };
  },

  // Creates the singleton `monitor:{name}`, or reconfigures the running one without losing its state.
  PUT: async (request, client) => {
    const name = parseName(request);
    if (!name.ok) return name.response;
    const config = await parseJsonBody(request, MonitorConfig);
    if (!config.ok) return config.response;
    const instanceId = monitorInstanceId(name.value);
    if (await activeMonitor(client, name.value)) {
      await client.raiseEvent(instanceId, MONITOR_EVENTS.reconfigure, config.value);
      return accepted(request, client, name.value, { name: name.value, instanceId, reconfigured: true });
    }
    try {
      await client.startNew('watchSite', { instanceId, input: { name: name.value, config: config.value } });
    } catch (error) {
      // Someone else created it between our read and our start.
      if (await startedElsewhere(client, instanceId)) {
        return problem(409, { detail: `Monitor ${name.value} is being created by another request; retry.` });
      }
      throw error;
    }
    const location = monitorUrl(request, name.value);
    return {
      status: 201,
      headers: { location },
      jsonBody: {
        name: name.value,
        instanceId,
        created: true,
        monitor: location,
        ...client.createHttpManagementPayload(instanceId),
      },
    };
  },

  DELETE: async (request, client) => {
    const name = parseName(request);
    if (!name.ok) return name.response;
    if (!(await activeMonitor(client, name.value))) return notFound(name.value);
    await client.raiseEvent(monitorInstanceId(name.value), MONITOR_EVENTS.stop, null);
    return accepted(request, client, name.value, { name: name.value, stopping: true });
  },
});

durableRoute('acknowledgeMonitor', 'monitors/{name}/ack', {
  POST: async (request, client) => {
    const name = parseName(request);
    if (!name.ok) return name.response;
    const body = await parseOptionalJsonBody(request);
    if (!body.ok) return body.response;
    const ack = AcknowledgeEvent.safeParse(body.value);
    if (!ack.success) return validationProblem(ack.error);
    const status = await activeMonitor(client, name.value);
    if (!status) return notFound(name.value);
    const incident = (status.customStatus as MonitorView | null)?.state.incident ?? null;
    if (!incident || incident.acknowledgedAt !== undefined) {
      return problem(409, {
        detail: incident
          ? `The incident of ${name.value} is already acknowledged.`
          : `Monitor ${name.value} has no open incident.`,
      });
    }
    await client.raiseEvent(monitorInstanceId(name.value), MONITOR_EVENTS.acknowledge, ack.data);
    return accepted(request, client, name.value, {
      name: name.value,
      incident: incident.id,
      acknowledging: true,
    });
  },
});

// POST /api/monitors/{name}/pause: stops checks and alerts until resumed; pausing a paused monitor is a no-op.
durableRoute('pauseMonitor', 'monitors/{name}/pause', {
  POST: async (request, client) => {
    const name = parseName(request);
    if (!name.ok) return name.response;
    const body = await parseOptionalJsonBody(request);
    if (!body.ok) return body.response;
    const who = PauseEvent.safeParse(body.value);
    if (!who.success) return validationProblem(who.error);
    if (!(await activeMonitor(client, name.value))) return notFound(name.value);
    await client.raiseEvent(monitorInstanceId(name.value), MONITOR_EVENTS.pause, who.data);
    return accepted(request, client, name.value, { name: name.value, pausing: true });
  },
});

// POST /api/monitors/{name}/resume: checks again at once when a check fell due while paused.
durableRoute('resumeMonitor', 'monitors/{name}/resume', {
  POST: async (request, client) => {
    const name = parseName(request);
    if (!name.ok) return name.response;
    if (!(await activeMonitor(client, name.value))) return notFound(name.value);
    await client.raiseEvent(monitorInstanceId(name.value), MONITOR_EVENTS.resume, null);
    return accepted(request, client, name.value, { name: name.value, resuming: true });
  },
});

// POST /api/monitors/{name}/test-alert: a TEST alert to every channel; each delivery shows in state.channels.
durableRoute('testAlertMonitor', 'monitors/{name}/test-alert', {
  POST: async (request, client) => {
    const name = parseName(request);
    if (!name.ok) return name.response;
    const status = await activeMonitor(client, name.value);
    if (!status) return notFound(name.value);
    const config = (status.customStatus as MonitorView | null)?.config;
    const channels = (config?.webhook !== undefined ? 1 : 0) + (config?.alerts?.length ?? 0);
    if (config && channels === 0) {
      return problem(409, { detail: `Monitor ${name.value} has no alert channels.` });
    }
    await client.raiseEvent(monitorInstanceId(name.value), MONITOR_EVENTS.testAlert, null);
    return accepted(request, client, name.value, { name: name.value, testing: true, channels });
  },
});
