import type { IncomingMessage } from 'node:http';
import { destroyDefaultAgents } from '../../src/activities/http';
import { Webhook } from 'standardwebhooks';
import { AlertDeliveryError, sendToChannel } from '../../src/activities/sendAlert';
import { alertText } from '../../src/core/alert';
import type { AlertChannel } from '../../src/core/alertChannels';
import type { AlertMessage } from '../../src/core/alertQueue';
import { version } from '../../src/version';
import {
  allowPrivateNetworks,
  respond,
  startServer,
  type Handler,
  type TargetServer,
} from '../support/servers';
import { DOWN_ALERT } from '../support/sampleAlert';

const SECRET_PATH = '/services/T0/B0/s3cr3t-token';
const SECRET = 's3cr3t-token';

const alert = DOWN_ALERT;

const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function message(destination: AlertChannel | string): AlertMessage {
  return {
    id: 'msg_2f1c0c9e-0000-4000-8000-000000000001',
    monitor: 'api-health',
    channel: 0,
    destination: typeof destination === 'string' ? { type: 'webhook', url: destination } : destination,
    alert,
  };
}
const sendAlert = (input: { webhook: string }, options?: Parameters<typeof sendToChannel>[1]) =>
  sendToChannel(message(input.webhook), options);

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
    const delivery = await sendAlert({ webhook: server.url(SECRET_PATH) });

    expect(delivery).toMatchObject({ status: 200, target: `${server.origin}/services/***` });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.headers['user-agent']).toBe(`Sitewatch/${version}`);
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(body).toStrictEqual({
      type: 'monitor.down',
      timestamp: alert.at,
      text: alertText(alert),
      ...alert,
    });
    // Unsigned, but with the id receivers deduplicate on.
    expect(request.headers['webhook-id']).toBe(message('x').id);
    expect(request.headers['webhook-signature']).toBeUndefined();
    expect(body.text).toBe(
      '🔴 DOWN: api-health (https://api.example.test/health) — 3 consecutive failures: HTTP 500',
    );
  });

  it('treats any 2xx as delivered', async () => {
    const server = await serve({ [SECRET_PATH]: receiver([], respond.status(204, '')) });
    await expect(sendAlert({ webhook: server.url(SECRET_PATH) })).resolves.toMatchObject({
      status: 204,
    });
  });

  it('throws a clear, redacted error when the receiver answers 500, so the retry policy applies', async () => {
    const received: Received[] = [];
    const server = await serve({
      [SECRET_PATH]: receiver(received, respond.text('no_service\n  try later', 500)),
    });
    const error = await rejection(sendAlert({ webhook: server.url(SECRET_PATH) }));
    expect(error.message).toBe(
      `Alert DOWN for api-health not delivered to webhook ${server.origin}/services/***: HTTP 500 (no_service try later)`,
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
    const error = await rejection(sendAlert({ webhook }));
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
    const error = await rejection(sendAlert({ webhook: server.url(SECRET_PATH) }));
    expect(error).toMatchObject({ code: 'HTTP', status: 307 });
    expect(elsewhere).toHaveLength(0);
  });

  it('reports network failures with their error code', async () => {
    const server = await serve({ [SECRET_PATH]: respond.reset(), '/hang/secret/path': respond.hang() });
    const reset = await rejection(sendAlert({ webhook: server.url(SECRET_PATH) }));
    expect(reset.code).toBe('CONNECT');
    expect(reset.message).toContain(`not delivered to webhook ${server.origin}/services/***: CONNECT`);

    const hung = await rejection(sendAlert({ webhook: server.url('/hang/secret/path') }, { timeoutMs: 200 }));
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
      const error = await rejection(sendAlert({ webhook }));
      expect(error.code).toBe('BLOCKED');
    }
    expect(server.connections).toBe(0);
    expect(received).toHaveLength(0);
  });
});

describe('a webhook channel with a whsec_ secret', () => {
  let restoreEnv: () => void;
  beforeAll(() => {
    restoreEnv = allowPrivateNetworks();
  });
  afterAll(() => restoreEnv());

  // Verified by the `standardwebhooks` package (the Standard Webhooks reference implementation
  // for JavaScript), not by our own signing code.
  it('signs per Standard Webhooks: the reference verifier accepts it, a tampered body fails', async () => {
    const received: Received[] = [];
    const server = await serve({ [SECRET_PATH]: receiver(received) });
    const now = new Date();
    await sendToChannel(message({ type: 'webhook', url: server.url(SECRET_PATH), secret: WHSEC }), { now });
    const [request] = received;
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(headers['webhook-id']).toBe(message('x').id);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const verifier = new Webhook(WHSEC);
    expect(verifier.verify(request.body, headers)).toMatchObject({ kind: 'DOWN', monitor: 'api-health' });
    const tampered = request.body.replace('"DOWN"', '"RECOVERED"');
    expect(tampered).not.toBe(request.body);
    expect(() => verifier.verify(tampered, headers)).toThrow();
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 8).toString('base64')}`).verify(request.body, headers),
    ).toThrow();
  });
});
