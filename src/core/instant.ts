// Timestamps compared as instants, never as text. A time that went through the Durable
// extension may come back in another form than Date#toISOString wrote it: where the extension
// parses JSON with Newtonsoft's date handling on, "2026-11-30T10:00:00.000Z" becomes
// "2026-11-30T10:00:00Z" and offsets become the host's local time (tests/host/engine/dates.ts
// has the rules and sources). String order breaks across those forms ("...:00Z" sorts after
// "...:00.500Z"), and so do keys built from them.

/** Epoch milliseconds of an ISO 8601 time, whatever its form. Throws on text that is not a time. */
export function instantOf(iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`Not a valid time: ${iso}`);
  return ms;
}

/** The Date#toISOString form of the same instant: the one form keys and range filters may use. */
export function canonicalIso(iso: string): string {
  return new Date(instantOf(iso)).toISOString();
}

/** Orders ISO times by instant (for sort; negative when `a` is earlier). */
export function compareInstants(a: string, b: string): number {
  return instantOf(a) - instantOf(b);
}
