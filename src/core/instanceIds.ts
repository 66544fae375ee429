// Instance ids that make starts idempotent: the same trigger occurrence always maps to the same id,
// so a redelivered message or a double timer fire finds the run that already exists.

export const SWEEP_PREFIX = 'sweep-';

/** `sweep-20261125T124500Z` for the occurrence scheduled at 2026-11-25T12:45:00Z. */
export function sweepInstanceId(scheduledAt: Date): string {
  return (
    SWEEP_PREFIX +
    scheduledAt
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '')
  );
}

/** A top-level sweep run (its partitions are `<sweep id>:part-<n>` sub-orchestrations). */
export function isSweepRun(instanceId: string): boolean {
  return instanceId.startsWith(SWEEP_PREFIX) && !instanceId.includes(':');
}

/** Queue message ids are GUIDs; the prefix keeps queue runs apart from HTTP ones. */
export function queueInstanceId(messageId: string): string {
  return `checks-queue-${messageId}`;
}

export function monitorInstanceId(name: string): string {
  return `monitor:${name}`;
}

export function monitorNameFromInstanceId(instanceId: string): string | undefined {
  return instanceId.startsWith('monitor:') ? instanceId.slice('monitor:'.length) : undefined;
}
