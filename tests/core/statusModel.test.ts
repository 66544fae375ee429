// The status model reads times that went through the Durable extension (a Failed monitor's
// view) and history rows: it must place them by instant and publish them in one form.
import { reserialiseDateValues } from '../host/engine/dates';
import type { StatusHistory, StoredIncident } from '../../src/core/history';
import { initialState } from '../../src/core/monitor';
import type { MonitorState } from '../../src/core/monitorSchemas';
import { buildStatus, StatusDocument, type LiveMonitor } from '../../src/core/statusModel';

const now = new Date('2026-11-30T10:00:00.500Z');
const options = { now, title: 'Status', showUrls: false, redact: (u: string) => u };
const history = (incidents: StoredIncident[]): StatusHistory => ({ days: new Map(), incidents });
const live = (name: string, state: MonitorState | null = null): LiveMonitor => ({
  name,
  runtimeStatus: 'Running',
  state,
  targetUrl: null,
});

describe('buildStatus and times in other forms', () => {
  it('keeps a closed incident by when it opened, not by how its time is spelled', () => {
    // The window starts at 2026-10-31T10:00:00.500Z (30 days before now).
    const before = {
      monitor: 'a',
      id: 'before',
      openedAt: '2026-10-31T10:00:00Z',
      closedAt: '2026-10-31T11:00:00Z',
    };
    const inside = {
      monitor: 'a',
      id: 'inside',
      openedAt: '2026-10-31T10:00:01Z',
      closedAt: '2026-10-31T11:00:00Z',
    };
    // As text, "...10:00:00Z" >= "...10:00:00.500Z" (Z sorts after '.'): a string compare keeps it.
    expect(before.openedAt >= '2026-10-31T10:00:00.500Z').toBe(true);
    const doc = buildStatus([live('a')], history([inside, before]), options);
    expect(doc.incidents.map((i) => i.id)).toEqual(['inside']);
  });

  it("publishes a Failed monitor's re-serialised view in Date#toISOString form, valid for the schema", () => {
    const state: MonitorState = {
      ...initialState('2026-11-30T08:00:00.000Z'),
      status: 'down',
      statusSince: '2026-11-30T09:00:00.000Z',
      incident: {
        id: 'inc',
        openedAt: '2026-11-30T09:00:00.000+00:00',
        acknowledgedAt: '2026-11-30T09:30:00.000Z',
        cause: { at: '2026-11-30T09:00:00.000Z', ok: false, latencyMs: 1, status: 503 },
        alerts: 1,
      },
    };
    // What the status API answers for that instance on Azure: its customStatus went through
    // JObject.Parse of the thrown orchestrator's text.
    const seen = reserialiseDateValues(state) as MonitorState;
    expect(seen.statusSince).toBe('2026-11-30T09:00:00Z');
    expect(seen.incident?.openedAt).toBe('2026-11-30T09:00:00+00:00');

    const doc = buildStatus([{ ...live('a', seen), runtimeStatus: 'Failed' }], history([]), options);
    const [monitor] = doc.monitors;
    expect(monitor?.since).toBe('2026-11-30T09:00:00.000Z');
    expect(monitor?.incident).toMatchObject({
      openedAt: '2026-11-30T09:00:00.000Z',
      acknowledgedAt: '2026-11-30T09:30:00.000Z',
      closedAt: null,
      durationMs: 3600_500,
    });
    expect(StatusDocument.safeParse(doc).success).toBe(true);
  });
});
