// The DOWN alert the alert tests start from: a monitor's first incident after three HTTP 500s.
import { AlertPayload } from '../../src/core/monitorSchemas';

export const DOWN_ALERT: AlertPayload = AlertPayload.parse({
  monitor: 'api-health',
  kind: 'DOWN',
  at: '2026-01-01T00:02:00.000Z',
  url: 'https://api.example.test/health',
  status: 'down',
  incident: { id: 'incident-1', openedAt: '2026-01-01T00:02:00.000Z', durationMs: 0, alerts: 0 },
  consecutiveFailures: 3,
  consecutiveSuccesses: 0,
  lastResult: {
    at: '2026-01-01T00:02:00.000Z',
    ok: false,
    status: 500,
    latencyMs: 12,
    code: 'HTTP',
    message: 'HTTP 500',
  },
});
