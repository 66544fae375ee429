// Crash durability across processes: the CLI with `--data <dir>` is killed with SIGKILL in the
// middle of a 2,000-target check, of an audit, and (both times) of an open monitor incident, then
// started again on the same dir. Nothing acknowledged may be lost and every run must finish.
// Activities are at least once: the target servers count every request, and the duplicates are
// printed and bounded by what the recovered host says it redelivered.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { CHECK_BATCH_SIZE } from '../../src/core/checkRun';
import { startServer, type TargetServer } from '../support/servers';
import { startAzurite } from './azurite';
import { REPO_ROOT } from './loader';
import { environmentWithoutAppSettings } from '../support/processes';

jest.setTimeout(900_000);

const CHECK_TARGETS = 2_000;
const AUDIT_LINKS = 150;

interface Cli {
  url: string;
  pid: number;
  output(): string;
  exited: Promise<void>;
}

const clis: ChildProcessWithoutNullStreams[] = [];
const servers: TargetServer[] = [];
let work: string;
let appDir: string;
let dataDir: string;

/** The built app with settings the test needs (local.settings.json is the app's own file). */
function makeApp(): string {
  const dir = path.join(work, 'app');
  mkdirSync(dir);
  for (const entry of ['dist', 'node_modules', 'package.json', 'host.json'])
    symlinkSync(path.join(REPO_ROOT, entry), path.join(dir, entry));
  const local = JSON.parse(readFileSync(path.join(REPO_ROOT, 'local.settings.json'), 'utf8')) as {
    Values: Record<string, string>;
  };
  local.Values.SITEWATCH_ALLOW_PRIVATE_NETWORKS = 'true';
  local.Values.SITEWATCH_MAX_TARGETS = String(CHECK_TARGETS);
  writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify(local));
  return dir;
}

/** The CLI as its own node process (no tsx launcher in between), so SIGKILL hits the host itself. */
async function startCli(): Promise<Cli> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/host/cli.ts', '--app', appDir, '--port', '0', '--data', dataDir],
    { cwd: REPO_ROOT, env: { ...environmentWithoutAppSettings(appDir), INIT_CWD: REPO_ROOT } },
  );
  clis.push(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  for (let i = 0; i < 1800; i++) {
    const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
    if (match) return { url: match[1], pid: child.pid!, output: () => out, exited };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`the CLI did not start:\n${out}`);
}

async function crash(cli: Cli): Promise<void> {
  process.kill(cli.pid, 'SIGKILL');
  await cli.exited;
}

function recovered(cli: Cli): { instances: number; open: number; activities: number } {
  const match = /durable store in .*: (\d+) instances, (\d+) open; redelivering (\d+) activities/.exec(
    cli.output(),
  );
  if (!match) throw new Error(`no recovery line in:\n${cli.output()}`);
  return { instances: Number(match[1]), open: Number(match[2]), activities: Number(match[3]) };
}

/** `uri` on the current CLI's port (each start gets a fresh port). */
const on = (cli: Cli, uri: string): string => {
  const u = new URL(uri);
  return `${cli.url}${u.pathname}${u.search}`;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Accepted {
  id: string;
  statusQueryGetUri: string;
}
interface RunView {
  runtimeStatus: string;
}
interface MonitorView {
  state: { status: string; incident: { id: string; acknowledgedBy?: string } | null };
}
interface BlobRef {
  container: string;
  blob: string;
}
interface DurableStatus {
  output: { report: BlobRef };
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

async function send<T = unknown>(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Counts requests per path; `handle` answers them. */
function counting(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const hits = new Map<string, number>();
  return {
    hits,
    total: () => [...hits.values()].reduce((a, b) => a + b, 0),
    duplicates: () => [...hits.values()].reduce((a, n) => a + Math.max(0, n - 1), 0),
    handler: (req: IncomingMessage, res: ServerResponse) => {
      const p = (req.url ?? '/').split('?')[0];
      hits.set(p, (hits.get(p) ?? 0) + 1);
      handle(req, res);
    },
  };
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'sitewatch-crash-'));
  appDir = makeApp();
  dataDir = path.join(work, 'data', 'not-yet-created');
});

afterAll(async () => {
  for (const child of clis) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    await closed;
  }
  // A killed host leaves its Azurite running for the next host on the dir to stop; when the test
  // stopped early, nobody will.
  const orphan = Number.parseInt(readOr(path.join(dataDir, 'azurite.pid')), 10);
  if (Number.isInteger(orphan) && orphan > 0) {
    try {
      process.kill(orphan, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  for (const server of servers) await server.close();
  rmSync(work, { recursive: true, force: true });
});

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

test('SIGKILL in the middle of a check, an audit and a monitor incident loses no instance and no result', async () => {
  // ---- servers on 127.0.0.1 the app checks and alerts
  const checks = counting((_req, res) => setTimeout(() => res.end('ok'), 20));
  const checkSite = await startServer(checks.handler);
  servers.push(checkSite);

  let releaseLinks = false;
  const held: ServerResponse[] = [];
  const links = counting((req, res) => {
    if (req.url === '/page') {
      const anchors = Array.from({ length: AUDIT_LINKS }, (_, i) => `<a href="/link/${i}">${i}</a>`);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>crash</title>${anchors.join(' ')}`);
    } else if (releaseLinks) res.end('ok');
    else held.push(res); // the audit is stuck mid-way until the host has been killed
  });
  const auditSite = await startServer(links.handler);
  servers.push(auditSite);

  let healthy = false;
  const monitorTarget = await startServer((_req, res) => {
    res.writeHead(healthy ? 200 : 503);
    res.end();
  });
  servers.push(monitorTarget);
  const alerts: Array<{ kind: string; incident: { id: string } }> = [];
  const webhook = await startServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      alerts.push(JSON.parse(body) as (typeof alerts)[number]);
      res.end('ok');
    });
  });
  servers.push(webhook);

  // ---- life 1: a monitor with an open incident, then a 2,000-target check, killed mid-check
  let cli = await startCli();
  expect(cli.output()).toContain(`durable store in ${dataDir}: empty`);
  const monitor = await send('PUT', `${cli.url}/api/monitors/crash`, {
    target: monitorTarget.url('/health'),
    intervalSeconds: 10,
    failureThreshold: 1,
    recoveryThreshold: 1,
    realertMinutes: 0,
    webhook: webhook.url('/hook'),
  });
  expect(monitor.status).toBe(201);
  const incidentId = await until(
    'the DOWN alert',
    async () => alerts.find((a) => a.kind === 'DOWN')?.incident.id,
  );

  const targets = Array.from({ length: CHECK_TARGETS }, (_, i) => checkSite.url(`/t/${i}`));
  const check = await send<Accepted>('POST', `${cli.url}/api/checks`, { name: 'crash', targets });
  expect(check.status).toBe(202);
  const checkId = check.body.id;
  await until('the check to be half done', async () =>
    checks.total() >= CHECK_TARGETS / 3 ? true : undefined,
  );
  await crash(cli);
  const checkedBeforeCrash = checks.total();
  expect(checkedBeforeCrash).toBeLessThan(CHECK_TARGETS);

  // ---- life 2: the check finishes; the incident is still open; acknowledge it; an audit, killed mid-way
  cli = await startCli();
  const afterFirstCrash = recovered(cli);
  // The monitor, the check and its 4 partitions at least.
  expect(afterFirstCrash.instances).toBeGreaterThanOrEqual(6);
  const done = await until('the check to complete', async () => {
    const { body } = await getJson<RunView>(`${cli.url}/api/runs/${checkId}`);
    return body.runtimeStatus === 'Completed' || body.runtimeStatus === 'Failed' ? body : undefined;
  });
  expect(done).toMatchObject({
    runtimeStatus: 'Completed',
    summary: { total: CHECK_TARGETS, up: CHECK_TARGETS, down: 0 },
  });
  for (let i = 0; i < CHECK_TARGETS; i++) expect(checks.hits.get(`/t/${i}`)).toBeGreaterThanOrEqual(1);
  const checkDuplicates = checks.duplicates();
  // Only work the host redelivered can run twice, and each piece of it at most once more (an
  // activity checks a batch of targets).
  expect(checkDuplicates).toBeLessThanOrEqual(afterFirstCrash.activities * CHECK_BATCH_SIZE);
  expect(Math.max(...checks.hits.values())).toBeLessThanOrEqual(2);

  const monitorView = await getJson<MonitorView>(`${cli.url}/api/monitors/crash`);
  expect(monitorView.body.state).toMatchObject({ status: 'down', incident: { id: incidentId } });
  const ack = await send('POST', `${cli.url}/api/monitors/crash/ack`, { by: 'crash test' });
  expect(ack.status).toBe(202);

  const audit = await send<Accepted>('POST', `${cli.url}/api/audits`, {
    url: auditSite.url('/page'),
    maxLinks: 1000,
  });
  expect(audit.status).toBe(202);
  const auditId = audit.body.id;
  await until('the audit to be checking its links', async () => (held.length >= 10 ? true : undefined));
  await crash(cli);
  const linkHits = () => [...links.hits].filter(([p]) => p.startsWith('/link/'));
  const linksBeforeCrash = linkHits().reduce((a, [, n]) => a + n, 0);
  // Every link request seen so far is still unanswered: the audit cannot have finished.
  expect(held.length).toBe(linksBeforeCrash);
  releaseLinks = true;
  for (const res of held.splice(0)) res.destroy();

  // ---- life 3: the audit finishes, the acknowledgement survived, the incident recovers
  cli = await startCli();
  const afterSecondCrash = recovered(cli);
  const audited = await until('the audit to complete', async () => {
    const { body } = await getJson<RunView>(`${cli.url}/api/runs/${auditId}`);
    return body.runtimeStatus === 'Completed' || body.runtimeStatus === 'Failed' ? body : undefined;
  });
  expect(audited.runtimeStatus).toBe('Completed');
  const auditStatus = await getJson<DurableStatus>(on(cli, audit.body.statusQueryGetUri));
  expect(auditStatus.body.output).toMatchObject({ ok: true, counts: expect.anything() });
  for (let i = 0; i < AUDIT_LINKS; i++) expect(links.hits.get(`/link/${i}`)).toBeGreaterThanOrEqual(1);
  const auditDuplicates = linkHits().reduce((a, [, n]) => a + n - 1, 0);
  expect(auditDuplicates).toBeLessThanOrEqual(afterSecondCrash.activities * CHECK_BATCH_SIZE);

  const acknowledged = await getJson<MonitorView>(`${cli.url}/api/monitors/crash`);
  expect(acknowledged.body.state.incident).toMatchObject({ id: incidentId, acknowledgedBy: 'crash test' });
  healthy = true;
  await until('the RECOVERED alert', async () => alerts.find((a) => a.kind === 'RECOVERED'));
  expect(alerts.filter((a) => a.kind === 'RECOVERED')[0].incident.id).toBe(incidentId);
  const downAlerts = alerts.filter((a) => a.kind === 'DOWN').length;
  expect(downAlerts).toBeLessThanOrEqual(2);
  expect((await send('DELETE', `${cli.url}/api/monitors/crash`)).status).toBe(202);

  // ---- a clean stop, then the reports are still in Azurite's data under the same dir
  const checkReport = (await getJson<DurableStatus>(on(cli, check.body.statusQueryGetUri))).body.output
    .report;
  const auditReport = auditStatus.body.output.report;
  const clean = clis[clis.length - 1];
  clean.kill('SIGTERM');
  await cli.exited;
  expect(clean.exitCode).toBe(0);
  const azurite = await startAzurite({ location: path.join(dataDir, 'azurite') });
  try {
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const read = async (r: BlobRef): Promise<unknown> =>
      JSON.parse(
        (await blobs.getContainerClient(r.container).getBlobClient(r.blob).downloadToBuffer()).toString(),
      );
    const checkDoc = (await read(checkReport)) as { summary: { total: number } };
    expect(checkDoc.summary.total).toBe(CHECK_TARGETS);
    const auditDoc = (await read(auditReport)) as Record<string, unknown>;
    expect(auditDoc.instanceId).toBe(auditId);
  } finally {
    await azurite.stop();
  }

  // The figures the issue asks for, in the test log.
  console.log(
    `crash durability: check ${checkedBeforeCrash}/${CHECK_TARGETS} requests before SIGKILL, ` +
      `${afterFirstCrash.activities} activities (batches of up to ${CHECK_BATCH_SIZE} targets) redelivered, ` +
      `${checkDuplicates} duplicate target requests; ` +
      `audit ${linksBeforeCrash}/${AUDIT_LINKS} links before SIGKILL, ${afterSecondCrash.activities} activities redelivered, ` +
      `${auditDuplicates} duplicates; DOWN alerts sent ${downAlerts} (1 incident)`,
  );
});
