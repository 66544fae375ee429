import type { IncomingMessage } from 'node:http';
import { destroyDefaultAgents } from '../../src/activities/http';
import { AlertDeliveryError, sendAlert, sendAlertActivity } from '../../src/activities/sendAlert';
import { alertText } from '../../src/core/alert';
import { AlertDelivery, AlertPayload } from '../../src/core/monitorSchemas';
import { version } from '../../src/version';
import {
  allowPrivateNetworks,
  respond,
  startServer,
  type Handler,
  type TargetServer,
} from '../support/servers';

const SECRET_PATH = '/services/T0/B0/s3cr3t-token';
const SECRET = 's3cr3t-token';

const alert: AlertPayload = AlertPayload.parse({
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

interface Received {
  method?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver that records every request and answers with `then`. */
function receiver(received: Received[], then: Handler = respond.text('ok')): Handler {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      then(req, res);
    });
  };
}

const servers: TargetServer[] = [];
async function serve(...args: Parameters<typeof startServer>): Promise<TargetServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  destroyDefaultAgents();
});

async function rejection(promise: Promise<unknown>): Promise<AlertDeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AlertDeliveryError);
  const delivery = error as AlertDeliveryError;
  expect(delivery.message).not.toContain(SECRET);
  return delivery;
}

describe('sendAlert to a receiver on 127.0.0.1', () => {
  let restoreEnv: () => void;
  beforeAll(() => {
    restoreEnv = allowPrivateNetworks();
  });
  afterAll(() => restoreEnv());

  it('POSTs the alert as JSON with a text line for chat tools', async () => {
    const received: Received[] = [];
    const server = await serve({ [SECRET_PATH]: receiver(received) });
    const delivery = await sendAlert({ webhook: server.url(SECRET_PATH), alert });

    expect(AlertDelivery.parse(delivery)).toStrictEqual(delivery);
    expect(delivery).toMatchObject({ ok: true, status: 200, webhook: `${server.origin}/services/***` });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.headers['user-agent']).toBe(`Sitewatch/${version}`);
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(body).toStrictEqual({ text: alertText(alert), ...alert });
    expect(body.text).toBe(
      '🔴 DOWN: api-health (https://api.example.test/health) — 3 consecutive failures: HTTP 500',
    );
  });

  it('treats any 2xx as delivered', async () => {
    const server = await serve({ [SECRET_PATH]: receiver([], respond.status(204, '')) });
    await expect(sendAlert({ webhook: server.url(SECRET_PATH), alert })).resolves.toMatchObject({
      status: 204,
    });
  });

  it('throws a clear, redacted error when the receiver answers 500, so the retry policy applies', async () => {
    const received: Received[] = [];
    const server = await serve({
      [SECRET_PATH]: receiver(received, respond.text('no_service\n  try later', 500)),
    });
    const error = await rejection(sendAlert({ webhook: server.url(SECRET_PATH), alert }));
    expect(error.message).toBe(
      `Alert DOWN for api-health not delivered to ${server.origin}/services/***: HTTP 500 (no_service try later)`,
    );
    expect(error).toMatchObject({ code: 'HTTP', status: 500, webhook: `${server.origin}/services/***` });
    expect(received).toHaveLength(1);
  });

  it('scrubs what the receiver echoes back: path segments, query values, decoded Basic credentials', async () => {
    const echo: Handler = (req, res) => {
      const basic = Buffer.from(
        (req.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      const [user, password] = basic.split(':');
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(`token s3cr3t-token refused (sig=${req.url?.split('sig=')[1]}) for ${user} with ${password}`);
    };
    const server = await serve({ [SECRET_PATH]: echo });
    const webhook = server.url(`${SECRET_PATH}?sig=q-v4lue`).replace('http://', 'http://hookuser:hookpass@');
    const error = await rejection(sendAlert({ webhook, alert }));
    expect(error).toMatchObject({ code: 'HTTP', status: 403 });
    expect(error.message).toContain('HTTP 403 (token *** refused (***) for *** with ***)');
    for (const secret of ['s3cr3t-token', 'q-v4lue', 'hookuser', 'hookpass']) {
      expect(error.message).not.toContain(secret);
    }
  });

  it('does not follow a redirect with the alert', async () => {
    const elsewhere: Received[] = [];
    const server = await serve({
      [SECRET_PATH]: respond.redirect(307, '/elsewhere'),
      '/elsewhere': receiver(elsewhere),
    });
    const error = await rejection(sendAlert({ webhook: server.url(SECRET_PATH), alert }));
    expect(error).toMatchObject({ code: 'HTTP', status: 307 });
    expect(elsewhere).toHaveLength(0);
  });

  it('reports network failures with their error code', async () => {
    const server = await serve({ [SECRET_PATH]: respond.reset(), '/hang/secret/path': respond.hang() });
    const reset = await rejection(sendAlert({ webhook: server.url(SECRET_PATH), alert }));
    expect(reset.code).toBe('CONNECT');
    expect(reset.message).toContain(`not delivered to ${server.origin}/services/***: CONNECT`);

    const hung = await rejection(
      sendAlert({ webhook: server.url('/hang/secret/path'), alert }, { timeoutMs: 200 }),
    );
    expect(hung.code).toBe('TIMEOUT');
    expect(hung.message).not.toContain('/secret/path');
  });
});

describe('sendAlert with the default network policy', () => {
  let previous: string | undefined;
  beforeAll(() => {
    previous = process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
    delete process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
  });
  afterAll(() => {
    if (previous !== undefined) process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS = previous;
  });

  it('refuses a loopback webhook as BLOCKED without sending anything', async () => {
    const received: Received[] = [];
    const server = await serve({ [SECRET_PATH]: receiver(received) });
    for (const webhook of [server.url(SECRET_PATH), `http://localhost:${server.port}${SECRET_PATH}`]) {
      const error = await rejection(sendAlert({ webhook, alert }));
      expect(error.code).toBe('BLOCKED');
    }
    expect(server.connections).toBe(0);
    expect(received).toHaveLength(0);
  });
});

describe('sendAlertActivity', () => {
  it('names the invalid fields without echoing their values', async () => {
    const bad = { webhook: `ftp://hooks.example.test${SECRET_PATH}`, alert: { ...alert, kind: 'MAYBE' } };
    const error = await sendAlertActivity(bad).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toMatch(/^Invalid sendAlert input: /);
    expect(error?.message).toContain('webhook:');
    expect(error?.message).toContain('alert.kind:');
    expect(error?.message).not.toContain(SECRET);
  });
});
