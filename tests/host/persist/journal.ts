// The durable store of `--data <dir>`: an append-only file of JSON lines, one per flush, each line
// the record ops (persist/recordCodec.ts) of every instance that changed since the previous one.
// A flush takes its snapshot in one synchronous turn, so every line leaves the store as the engine
// had it between two turns: consistent, with uncommitted work (an episode or activity in flight)
// still owed. Flushes are group commits: while one is being written and fsynced, changes gather
// for the next. `settled()` resolves once everything changed so far is on disk; the host answers
// durable HTTP API calls only after it (server.ts holdUntilDurable), as the extension acknowledges
// only what is in storage. App functions change durable state only through that API (the client
// binding), so a queue-triggered function's message is deleted only after its starts are durable,
// and an HTTP starter's 202 comes after its instance is.
//
// A crash can tear the last line; it is ignored on load (its flush was never acknowledged). The
// file is rewritten whole (compacted) on open and when it outgrows the state it describes.
import { constants as fsConstants, promises as fsp, openSync, closeSync, fsyncSync } from 'node:fs';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Store, isFinal, type InstanceRecord } from '../store';
import { applyOp, decode, deleteOp, recordOp, Shadows, type RecordOp } from './recordCodec';

export const JOURNAL_FILE = 'journal.jsonl';
/** Compact once the file has grown by this much and by 4x what the last compaction wrote. */
const MIN_COMPACT_BYTES = 32 * 1024 * 1024;

export interface JournalOptions {
  /** Test hook: compact after this many bytes appended instead of the default rule. */
  compactAfterBytes?: number;
  onError?: (message: string, error: unknown) => void;
}

/** What a journal held when it was opened, for the host's log. */
export interface Recovery {
  instances: number;
  /** Instances not in a final state: each gets an episode on start. */
  open: number;
  /** Activities scheduled and not completed: they run again (at least once). */
  activities: number;
  /** Events delivered and not yet consumed by an episode. */
  pendingEvents: number;
  timers: number;
  lines: number;
  /** The last line was torn (a write the crash interrupted) and was ignored. */
  tornTail: boolean;
}

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

export class Journal {
  readonly store: Store;
  private shadows = new Shadows();
  private readonly pending = new Set<string>();
  private marked = 0;
  private durable = 0;
  private waiters: Array<{ target: number; resolve: () => void; reject: (e: Error) => void }> = [];
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  private handle: fsp.FileHandle | undefined;
  private appendedBytes = 0;
  private compactedBytes = 0;
  private broken: Error | undefined;
  private closed = false;
  /** Set while a flush reads the store, whose get() would otherwise report a change. */
  private snapshotting = false;
  private readonly onError: (message: string, error: unknown) => void;

  private constructor(
    readonly file: string,
    records: Map<string, InstanceRecord>,
    private readonly options: JournalOptions,
  ) {
    this.onError = options.onError ?? ((m, e) => console.error(`[tests/host] ${m}:`, e));
    this.store = new Store(records.values(), (id) => this.touch(id));
  }

  /** Loads `<dir>/journal.jsonl` (creating `dir`), rewrites it compacted, and opens it for appending. */
  static async open(
    dir: string,
    options: JournalOptions = {},
  ): Promise<{ journal: Journal; recovery: Recovery }> {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, JOURNAL_FILE);
    const { records, lines, tornTail } = load(file);
    const journal = new Journal(file, records, options);
    await journal.compact();
    return { journal, recovery: summarize(records, lines, tornTail) };
  }

  /** Resolves when every change made so far is on disk. */
  settled(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const target = this.marked;
    if (this.durable >= target) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ target, resolve, reject }));
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushScheduled || this.pending.size > 0) await this.flush();
    await this.flushing;
    this.closed = true;
    await this.handle?.close();
    this.handle = undefined;
  }

  private touch(instanceId: string): void {
    if (this.snapshotting) return;
    this.pending.add(instanceId);
    this.marked++;
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    // After the current turn: the engine finishes what it is changing before the snapshot.
    setImmediate(() => void this.flush());
  }

  private flush(): Promise<void> {
    this.flushScheduled = false;
    this.flushing ??= this.flushLoop().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.size > 0 && !this.broken) {
      const target = this.marked;
      const ops: string[] = [];
      this.snapshotting = true;
      try {
        for (const id of this.pending) {
          const record = this.store.get(id);
          const op = record ? recordOp(record, this.shadows) : deleteOp(id);
          if (op) ops.push(op);
        }
      } finally {
        this.snapshotting = false;
      }
      this.pending.clear();
      try {
        if (ops.length > 0) {
          const line = Buffer.from(`{"ops":[${ops.join(',')}]}\n`);
          await this.handle!.write(line);
          await this.handle!.datasync();
          this.appendedBytes += line.length;
        }
        if (this.appendedBytes > this.compactionThreshold()) await this.compact();
      } catch (error) {
        this.broken = new JournalError(
          `tests/host could not write its journal ${this.file}: ${(error as Error).message}`,
        );
        this.onError('The durable store stopped persisting', error);
        for (const w of this.waiters.splice(0)) w.reject(this.broken);
        return;
      }
      this.durable = target;
      const ready = this.waiters.filter((w) => w.target <= target);
      this.waiters = this.waiters.filter((w) => w.target > target);
      for (const w of ready) w.resolve();
    }
  }

  private compactionThreshold(): number {
    return this.options.compactAfterBytes ?? Math.max(MIN_COMPACT_BYTES, 4 * this.compactedBytes);
  }

  /** Replaces the file with one that states every record whole (atomically, by rename). */
  private async compact(): Promise<void> {
    this.shadows = new Shadows();
    const lines: string[] = [];
    for (const record of this.store.all()) lines.push(`{"ops":[${recordOp(record, this.shadows)!}]}\n`);
    const text = lines.join('');
    const temp = `${this.file}.compacting`;
    await this.handle?.close();
    this.handle = undefined;
    writeFileSync(temp, text);
    fsyncPath(temp, fsConstants.O_RDONLY);
    renameSync(temp, this.file);
    fsyncPath(path.dirname(this.file), fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
    this.handle = await fsp.open(this.file, 'a');
    this.compactedBytes = Buffer.byteLength(text);
    this.appendedBytes = 0;
  }
}

function fsyncPath(target: string, flags: number): void {
  const fd = openSync(target, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function load(file: string): { records: Map<string, InstanceRecord>; lines: number; tornTail: boolean } {
  const records = new Map<string, InstanceRecord>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records, lines: 0, tornTail: false };
    throw error;
  }
  const lines = text.split('\n');
  // A complete line ends with '\n', so the last element is '' unless a write was cut short.
  let tornTail = lines[lines.length - 1] !== '';
  if (!tornTail) lines.pop();
  let applied = 0;
  for (let i = 0; i < lines.length; i++) {
    let parsed: { ops: RecordOp[] };
    try {
      parsed = decode(lines[i]) as { ops: RecordOp[] };
    } catch (error) {
      if (i === lines.length - 1 && tornTail) break;
      throw new JournalError(
        `${file} line ${i + 1} is not valid JSON (${(error as Error).message}); the journal is damaged`,
      );
    }
    if (i === lines.length - 1 && tornTail) {
      // Parsed but unterminated: the newline never made it, so the flush was never acknowledged;
      // it is still a whole line, and applying it loses nothing.
      tornTail = false;
    }
    for (const op of parsed.ops) applyOp(records, op);
    applied++;
  }
  return { records, lines: applied, tornTail };
}

function summarize(records: Map<string, InstanceRecord>, lines: number, tornTail: boolean): Recovery {
  const recovery: Recovery = {
    instances: records.size,
    open: 0,
    activities: 0,
    pendingEvents: 0,
    timers: 0,
    lines,
    tornTail,
  };
  for (const r of records.values()) {
    if (isFinal(r.runtimeStatus)) continue;
    recovery.open++;
    const exec = r.executions[r.executions.length - 1];
    recovery.activities += exec.activities.size;
    recovery.pendingEvents += exec.inbox.length;
    recovery.timers += exec.timers.size;
  }
  return recovery;
}
