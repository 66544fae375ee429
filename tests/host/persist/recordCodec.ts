// How instance records become journal lines and back. A record is written whole the first time
// the journal sees it, then as deltas: fields whose JSON changed, history appended since the last
// write, inbox events consumed from the front and added at the back, and the entries of each
// TrackedMap that changed. Fields are discovered, not listed, so a field the engine adds later is
// journaled without touching this file (a Map or Set in it is written whole).
import { newExecution, type Execution, type InstanceRecord } from '../store';
import type { HistoryEvent } from '../types';
import { TrackedMap, type MapChanges } from './trackedMap';

/**
 * Fields that the engine only ever replaces, never mutates in place: an unchanged reference means
 * an unchanged value, which spares re-serialising a fan-out's replay state on every flush.
 */
const REPLACED_WHOLE = new Set(['replay', 'customStatus']);
/** Derived caches, rebuilt on demand. */
const NOT_JOURNALED = new Set(['historyCache']);

interface FieldShadow {
  raw: unknown;
  json: string | undefined;
}

interface ExecShadow {
  historyCount: number;
  inbox: HistoryEvent[];
  fields: Map<string, FieldShadow>;
  maps: Map<string, TrackedMap<unknown, unknown>>;
}

interface RecordShadow {
  execCount: number;
  fields: Map<string, FieldShadow>;
}

/** What was last written for each record and execution object. */
export class Shadows {
  readonly records = new WeakMap<InstanceRecord, RecordShadow>();
  readonly executions = new WeakMap<Execution, ExecShadow>();
}

export interface ExecOp {
  new?: true;
  /** Field values as JSON (with Map/Set tagged); `u` lists fields that became undefined. */
  f?: Record<string, unknown>;
  u?: string[];
  /** History from index `hAt` on. */
  hAt?: number;
  h?: HistoryEvent[];
  /** Inbox: drop this many from the front, then append. */
  ib?: { drop: number; add: HistoryEvent[] };
  m?: Record<string, MapChanges<unknown, unknown>>;
  id: string;
}

export interface RecordOp {
  id: string;
  del?: true;
  new?: true;
  f?: Record<string, unknown>;
  u?: string[];
  x?: ExecOp[];
}

// Tags for Maps and Sets inside field values; the NUL keeps them apart from any key app data uses.
const MAP_TAG = '\u0000map';
const SET_TAG = '\u0000set';

/** JSON text of `value`, with Maps and Sets tagged so they come back as such. */
export function encode(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Map) return { [MAP_TAG]: [...Map.prototype.entries.call(v)] };
    if (v instanceof Set) return { [SET_TAG]: [...v] };
    return v;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o[MAP_TAG]) && Object.keys(o).length === 1)
        return new Map(o[MAP_TAG] as Array<[unknown, unknown]>);
      if (Array.isArray(o[SET_TAG]) && Object.keys(o).length === 1) return new Set(o[SET_TAG] as unknown[]);
    }
    return v;
  });
}

/**
 * The op that brings the journaled copy of `record` up to date, as JSON text; undefined when
 * nothing changed. Updates the shadows: call it only when the text will be written.
 */
export function recordOp(record: InstanceRecord, shadows: Shadows): string | undefined {
  let shadow = shadows.records.get(record);
  const isNew = shadow === undefined;
  if (!shadow) {
    shadow = { execCount: 0, fields: new Map() };
    shadows.records.set(record, shadow);
  }
  const parts: string[] = [];
  const fields = fieldChanges(record as unknown as Record<string, unknown>, shadow.fields, ['executions']);
  if (fields) parts.push(fields);
  const execs: string[] = [];
  // Executions before the last one written are closed (continueAsNew moved on): they never change.
  for (let i = Math.max(0, shadow.execCount - 1); i < record.executions.length; i++) {
    const op = execOp(record.executions[i], shadows);
    if (op) execs.push(op);
  }
  shadow.execCount = record.executions.length;
  if (execs.length > 0) parts.push(`"x":[${execs.join(',')}]`);
  if (!isNew && parts.length === 0) return undefined;
  return `{"id":${JSON.stringify(record.instanceId)}${isNew ? ',"new":true' : ''}${parts.map((p) => `,${p}`).join('')}}`;
}

export const deleteOp = (instanceId: string): string => `{"id":${JSON.stringify(instanceId)},"del":true}`;

function execOp(exec: Execution, shadows: Shadows): string | undefined {
  let shadow = shadows.executions.get(exec);
  const isNew = shadow === undefined;
  if (!shadow) {
    shadow = { historyCount: 0, inbox: [], fields: new Map(), maps: new Map() };
    shadows.executions.set(exec, shadow);
  }
  const source = exec as unknown as Record<string, unknown>;
  const parts: string[] = [];
  const maps: string[] = [];
  const skip = ['history', 'inbox'];
  for (const [key, value] of Object.entries(source)) {
    if (value instanceof TrackedMap) {
      skip.push(key);
      // A map replaced by another one is written whole, like a new execution's.
      const changes = shadow.maps.get(key) === value ? value.takeChanges() : fullMap(value);
      shadow.maps.set(key, value);
      if (changes) maps.push(`${JSON.stringify(key)}:${encode(changes)}`);
    }
  }
  const fields = fieldChanges(source, shadow.fields, skip);
  if (fields) parts.push(fields);

  const history = exec.history;
  if (history.length !== shadow.historyCount) {
    // History only grows within an execution; anything else is written whole.
    const from = history.length > shadow.historyCount ? shadow.historyCount : 0;
    parts.push(`"hAt":${from},"h":${JSON.stringify(history.slice(from))}`);
    shadow.historyCount = history.length;
  }

  const inbox = inboxChange(shadow.inbox, exec.inbox);
  if (inbox) {
    parts.push(`"ib":{"drop":${inbox.drop},"add":${JSON.stringify(inbox.add)}}`);
    shadow.inbox = exec.inbox.slice();
  }
  if (maps.length > 0) parts.push(`"m":{${maps.join(',')}}`);
  if (!isNew && parts.length === 0) return undefined;
  return `{"id":${JSON.stringify(exec.executionId)}${isNew ? ',"new":true' : ''}${parts.map((p) => `,${p}`).join('')}}`;
}

function fullMap(map: TrackedMap<unknown, unknown>): MapChanges<unknown, unknown> {
  map.forget();
  return { clear: true, set: [...Map.prototype.entries.call(map)] as Array<[unknown, unknown]> };
}

/** `"f":{...},"u":[...]` for the fields whose value changed since the last write, or undefined. */
function fieldChanges(
  source: Record<string, unknown>,
  shadow: Map<string, FieldShadow>,
  skip: readonly string[],
): string | undefined {
  const set: string[] = [];
  const unset: string[] = [];
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(source)) {
    if (skip.includes(key) || NOT_JOURNALED.has(key)) continue;
    seen.add(key);
    const before = shadow.get(key);
    if (
      before &&
      before.raw === value &&
      (REPLACED_WHOLE.has(key) || value === null || typeof value !== 'object')
    )
      continue;
    const json = encode(value);
    if (before && before.json === json) {
      before.raw = value;
      continue;
    }
    shadow.set(key, { raw: value, json });
    if (json === undefined) unset.push(key);
    else set.push(`${JSON.stringify(key)}:${json}`);
  }
  for (const key of shadow.keys()) {
    if (seen.has(key)) continue;
    shadow.delete(key);
    unset.push(key);
  }
  const parts: string[] = [];
  if (set.length > 0) parts.push(`"f":{${set.join(',')}}`);
  if (unset.length > 0) parts.push(`"u":${JSON.stringify(unset)}`);
  return parts.length > 0 ? parts.join(',') : undefined;
}

/**
 * The inbox only loses events at the front (an episode takes them) and gains them at the back
 * (delivery). Anything else (a reorder, an in-place edit) is written as a full replacement.
 */
function inboxChange(
  before: readonly HistoryEvent[],
  now: readonly HistoryEvent[],
): { drop: number; add: HistoryEvent[] } | undefined {
  let drop = before.length;
  if (now.length > 0) {
    const at = before.indexOf(now[0]);
    if (at >= 0) drop = at;
  }
  const kept = before.length - drop;
  let prefixHolds = kept <= now.length;
  for (let i = 0; prefixHolds && i < kept; i++) if (now[i] !== before[drop + i]) prefixHolds = false;
  if (!prefixHolds) return { drop: before.length, add: now.slice() };
  if (drop === 0 && kept === now.length) return undefined;
  return { drop, add: now.slice(kept) };
}

/** Applies one journaled op to the records being rebuilt. */
export function applyOp(records: Map<string, InstanceRecord>, op: RecordOp): void {
  if (op.del) {
    records.delete(op.id);
    return;
  }
  let record = records.get(op.id);
  if (op.new || !record) {
    record = { executions: [] as Execution[] } as unknown as InstanceRecord;
    records.set(op.id, record);
  }
  assignFields(record as unknown as Record<string, unknown>, op.f, op.u);
  for (const x of op.x ?? []) {
    let exec = record.executions.find((e) => e.executionId === x.id);
    if (!exec || x.new) {
      const fields = (x.f ?? {}) as { input?: string };
      const fresh = newExecution(x.id, fields.input);
      if (exec) record.executions[record.executions.indexOf(exec)] = fresh;
      else record.executions.push(fresh);
      exec = fresh;
    }
    applyExecOp(exec, x);
  }
}

function applyExecOp(exec: Execution, op: ExecOp): void {
  const target = exec as unknown as Record<string, unknown>;
  assignFields(target, op.f, op.u);
  if (op.h) {
    exec.history.length = op.hAt ?? 0;
    for (const e of op.h) exec.history.push(e);
    exec.historyCache = { text: '', count: 0 };
  }
  if (op.ib) {
    exec.inbox.splice(0, op.ib.drop);
    for (const e of op.ib.add) exec.inbox.push(e);
  }
  for (const [key, changes] of Object.entries(op.m ?? {})) {
    let map = target[key];
    if (!(map instanceof TrackedMap)) target[key] = map = new TrackedMap();
    (map as TrackedMap<unknown, unknown>).applyChanges(changes);
  }
}

function assignFields(
  target: Record<string, unknown>,
  fields?: Record<string, unknown>,
  unset?: string[],
): void {
  for (const [key, value] of Object.entries(fields ?? {})) target[key] = value;
  for (const key of unset ?? []) target[key] = undefined;
}
