// The README's 10-line receiver, run as it is printed, against alerts signed by sendToChannel:
// it accepts a signed alert and refuses a tampered or unsigned one.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { sendToChannel } from '../../src/activities/sendAlert';
import { signedHeaders } from '../../src/core/webhookSignature';
import { allowPrivateNetworks } from '../support/servers';

jest.setTimeout(30_000);

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;

function readmeReceiver(): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- prettier-ignore -->\n```js\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const code = block![1];
  expect(code.trimEnd().split('\n')).toHaveLength(10);
  return code;
}

/** A port the OS just gave out (the receiver reads PORT; it cannot report one it chose itself). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let child: ChildProcess | undefined;
let restoreEnv: () => void;
let dir: string;
const printed: string[] = [];

beforeAll(() => {
  restoreEnv = allowPrivateNetworks();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-receiver-'));
});

afterAll(async () => {
  restoreEnv();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill();
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the README receiver verifies a Sitewatch signature and refuses tampered or unsigned bodies', async () => {
  const file = path.join(dir, 'receiver.js');
  fs.writeFileSync(file, readmeReceiver());
  const port = await freePort();
  child = spawn(process.execPath, [file], {
    env: { ...process.env, WEBHOOK_SECRET: SECRET, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}/hook`;
  // Wait until it listens.
  for (let i = 0; ; i++) {
    const up = await axios.post(url, '{}', { validateStatus: () => true }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (i > 100) throw new Error('the README receiver did not start');
    await new Promise((r) => setTimeout(r, 100));
  }

  const answer = await sendToChannel({
    id: 'msg_readme',
    monitor: 'shop',
    channel: 0,
    destination: { type: 'webhook', url, secret: SECRET },
    alert: {
      monitor: 'shop',
      kind: 'TEST',
      at: new Date().toISOString(),
      url: 'https://shop.example.test/',
      status: 'up',
      incident: null,
      consecutiveFailures: 0,
      consecutiveSuccesses: 1,
      lastResult: { at: new Date().toISOString(), ok: true, latencyMs: 1 },
    },
  });
  expect(answer.status).toBe(204);
  await new Promise((r) => setTimeout(r, 200));
  expect(printed.join('')).toContain('TEST: shop');

  const body = JSON.stringify({ text: 'hello' });
  const headers = signedHeaders(SECRET, 'msg_x', Math.floor(Date.now() / 1000), body);
  const post = (data: string, h: object) =>
    axios.post(url, data, {
      headers: { ...h, 'content-type': 'application/json' },
      validateStatus: () => true,
    });
  expect((await post(body, headers)).status).toBe(204);
  expect((await post(body.replace('hello', 'hellO'), headers)).status).toBe(401);
  expect((await post(body, {})).status).toBe(401);
  const old = signedHeaders(SECRET, 'msg_x', Math.floor(Date.now() / 1000) - 3600, body);
  expect((await post(body, old)).status).toBe(401);
});
