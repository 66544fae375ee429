// Which ISO-8601 strings the Durable extension rewrites, and how. Sources: Azure/azure-functions-
// durable-extension a7c6d694, Azure/azure-functions-host 89dc438d4, JamesNK/Newtonsoft.Json 09bb545d.
//
// WHERE (for a Node app on the Functions v4 host):
// - Normal episodes: NOTHING changes. The worker sends the OrchestratorState as TypedData.json and
//   the host reads it with DateParseHandling.None (WebJobs.Script.Grpc/MessageExtensions/
//   GrpcMessageConversionExtensions.cs:25,33, in force since host commit d36d9eb0e, 2018), so the
//   shim gets a JObject and skips its own parse (Listener/TaskOrchestrationShim.cs:272).
//   Output, customStatus, activity/sub-orchestration/continueAsNew inputs keep their text.
// - Everything else also reads JSON with DateParseHandling.None: orchestration and activity
//   inputs (MessagePayloadDataConverter.cs:77-90 ConvertToJToken; DurableActivityContext.cs:67-95),
//   the serializer settings of every payload (MessageSerializerSettingsFactory.cs:28-32),
//   startNew bodies (HttpApiHandler.cs:872), raiseEvent bodies (HttpApiHandler.cs:1006-1011),
//   status answers' input/output/customStatus (DurableClient.cs:1095-1118). Activity results come
//   back through the same host conversion as orchestrator replies. Unchanged, all of them.
// - The one place: an orchestrator that THROWS. durable-functions appends its state to the error
//   message after "$OutOfProcData$:" (lib/src/error/OrchestrationFailureError.js); the extension
//   cuts that text out (OutOfProcExceptionHelpers.cs:53-79) and parses it with plain
//   JObject.Parse (TaskOrchestrationShim.cs:178-183 -> 280), i.e. DateParseHandling.DateTime and
//   DateTimeZoneHandling.RoundtripKind. customStatus (OutOfProcOrchestrationShim.cs:78-80, kept
//   on the Failed instance: DurableTask.Core TaskOrchestrationExecutor.cs:211-215) and the inputs
//   of actions replayed in that episode (:116-171) are then written back by the default JSON
//   writer (MessagePayloadDataConverter.cs:50-57): their date-like strings change form.
// - Not here: createdTime/lastUpdatedTime of status answers are DateTime.ToString("s") + "Z",
//   whole seconds (HttpApiHandler.cs:713-714); api/management.ts does that.
//
// HOW (Newtonsoft.Json):
// - A string VALUE (never a property name) is a date when it is 19 to 40 characters, starts with
//   a digit and has 'T' at index 10, and parses as yyyy-MM-ddTHH:mm:ss[.f{1,7}][Z|z|±hh[[:]mm]]
//   (Utilities/DateTimeUtils.cs:359-365 TryParseDateTime, Utilities/DateTimeParser.cs:91-232);
//   or it is "/Date(<ms>[±hh[mm]])/" (DateTimeUtils.cs:349-357, 492-547).
// - Parsing (DateTimeUtils.cs:214-277): Z -> Kind Utc, same instant; an offset -> converted to the
//   host's local time, Kind Local (so the offset written back is the host's, not the original);
//   no zone -> Kind Unspecified. Fraction digits past the seventh are dropped, hour 24 means the
//   next day.
// - Writing (DateTimeUtils.cs:635-751, IsoDateFormat "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"): the fraction
//   loses its trailing zeros and disappears when zero; Utc ends in Z, Local in the host offset
//   "+hh:mm", Unspecified in nothing. "2026-11-30T10:00:00.000Z" -> "2026-11-30T10:00:00Z",
//   "2026-11-30T10:00:00.120Z" -> "2026-11-30T10:00:00.12Z", "...T12:00:00+02:00" -> "...T10:00:00+00:00".
// - The host's local zone is UTC on Azure unless WEBSITE_TIME_ZONE / TZ say otherwise.
//
// Not modelled: values whose .NET DateTime would fall outside years 1-9999 after the 24:00 or
// /Date()/ arithmetic (.NET throws there and the episode fails with another message), and the
// string-typed fields of an action (functionName, instanceId, ...), which .NET would turn into
// "MM/dd/yyyy HH:mm:ss" if they were date-like (JsonReader.cs:473-507).

const TICKS_PER_MS = 10_000n;
const TICKS_PER_SECOND = 10_000_000n;
const TICKS_PER_DAY = 864_000_000_000n;
/** DateTime ticks of 1970-01-01T00:00:00Z (DateTimeUtils.cs:35). */
const UNIX_EPOCH_TICKS = 621_355_968_000_000_000n;
const MAX_TICKS = 3_155_378_975_999_999_999n;

export interface DateOptions {
  /** The host's local UTC offset in minutes (TimeZoneInfo.Local); 0 on Azure by default. */
  localOffsetMinutes?: number;
}

type Kind = 'utc' | 'local' | 'unspecified';
interface NetDateTime {
  ticks: bigint;
  kind: Kind;
}

const isDigit = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

function twoDigits(s: string, i: number, end: number): number | undefined {
  if (i + 1 >= end || !isDigit(s, i) || !isDigit(s, i + 1)) return undefined;
  return Number(s.slice(i, i + 2));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Ticks of a proleptic Gregorian date at midnight (Date.UTC maps years below 100 to 19xx). */
function dateTicks(year: number, month: number, day: number): bigint {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return BigInt(d.getTime()) * TICKS_PER_MS + UNIX_EPOCH_TICKS;
}

const clamp = (ticks: bigint) => (ticks < 0n ? 0n : ticks > MAX_TICKS ? MAX_TICKS : ticks);

/** DateTimeParser.Parse plus TryParseDateTimeIso's zone handling. */
function parseIso(s: string, localOffset: bigint): NetDateTime | undefined {
  const end = s.length;
  const num = (from: number, len: number) => {
    for (let i = from; i < from + len; i++) if (i >= end || !isDigit(s, i)) return undefined;
    return Number(s.slice(from, from + len));
  };
  const year = num(0, 4);
  const month = num(5, 2);
  const day = num(8, 2);
  if (year === undefined || year < 1 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T') return undefined;
  if (month === undefined || month < 1 || month > 12) return undefined;
  if (day === undefined || day < 1 || day > daysInMonth(year, month)) return undefined;
  const hour = num(11, 2);
  const minute = num(14, 2);
  const second = num(17, 2);
  if (hour === undefined || hour > 24 || s[13] !== ':' || s[16] !== ':') return undefined;
  if (minute === undefined || minute >= 60 || second === undefined || second >= 60) return undefined;
  if (hour === 24 && (minute !== 0 || second !== 0)) return undefined;

  let at = 19;
  let fraction = 0n;
  if (s[at] === '.') {
    let digits = 0;
    let value = 0;
    while (++at < end && digits < 7 && isDigit(s, at)) {
      value = value * 10 + Number(s[at]);
      digits++;
    }
    if (digits === 0) return undefined;
    fraction = BigInt(value) * 10n ** BigInt(7 - digits);
    if (hour === 24 && fraction !== 0n) return undefined;
  }

  // ParseZone, step for step: Z, or a sign and two digits, then optional [:]mm. A digit pair
  // right after the time (no sign) is also swallowed as "minutes" (DateTimeParser.cs:205-226).
  let zone: 'none' | 'utc' | 'west' | 'east' = 'none';
  let zoneHour = 0;
  let zoneMinute = 0;
  if (at < end) {
    const ch = s[at];
    if (ch === 'Z' || ch === 'z') {
      zone = 'utc';
      at++;
    } else {
      const hh = at + 2 < end ? twoDigits(s, at + 1, end) : undefined;
      if (hh !== undefined && (ch === '-' || ch === '+')) {
        zone = ch === '-' ? 'west' : 'east';
        zoneHour = hh;
        at += 3;
      }
      if (at < end) {
        if (s[at] === ':') at++;
        const mm = at + 1 < end ? twoDigits(s, at, end) : undefined;
        if (mm !== undefined) {
          zoneMinute = mm;
          at += 2;
        }
      }
    }
  }
  if (at !== end) return undefined;

  let ticks =
    dateTicks(year, month, day) +
    BigInt(hour === 24 ? 0 : hour) * 3600n * TICKS_PER_SECOND +
    BigInt(minute) * 60n * TICKS_PER_SECOND +
    BigInt(second) * TICKS_PER_SECOND +
    fraction;
  if (hour === 24) ticks += TICKS_PER_DAY;
  if (ticks > MAX_TICKS) return undefined; // .NET throws (see "Not modelled")

  if (zone === 'utc') return { ticks, kind: 'utc' };
  if (zone === 'none') return { ticks, kind: 'unspecified' };
  const offset = BigInt(zoneHour * 60 + zoneMinute) * 60n * TICKS_PER_SECOND;
  const utc = zone === 'west' ? ticks + offset : ticks - offset;
  // In range: ToLocalTime (which clamps). Out of range: local offset added, then clamped.
  return { ticks: clamp(utc + localOffset), kind: 'local' };
}

/** "/Date(ms)/" (Utc) or "/Date(ms+hhmm)/" (the offset is ignored; the instant goes to local time). */
function parseMicrosoft(s: string, localOffset: bigint): NetDateTime | undefined {
  const m = /^\/Date\((-?\d{1,19})(?:([+-])(\d{2})(\d{2})?)?\)\/$/.exec(s);
  if (!m) return undefined;
  const ms = BigInt(m[1]);
  const ticks = ms * TICKS_PER_MS + UNIX_EPOCH_TICKS;
  if (ticks < 0n || ticks > MAX_TICKS) return undefined; // .NET throws (see "Not modelled")
  return m[2] ? { ticks: clamp(ticks + localOffset), kind: 'local' } : { ticks, kind: 'utc' };
}

const pad = (n: number | bigint, width: number) => String(n).padStart(width, '0');

function writeIso(dt: NetDateTime, localOffsetMinutes: number): string {
  const days = dt.ticks / TICKS_PER_DAY;
  const timeOfDay = dt.ticks % TICKS_PER_DAY;
  const date = new Date(Number((days * TICKS_PER_DAY - UNIX_EPOCH_TICKS) / TICKS_PER_MS));
  const seconds = timeOfDay / TICKS_PER_SECOND;
  let text =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(seconds / 3600n, 2)}:${pad((seconds / 60n) % 60n, 2)}:${pad(seconds % 60n, 2)}`;
  const fraction = timeOfDay % TICKS_PER_SECOND;
  if (fraction !== 0n) text += `.${pad(fraction, 7).replace(/0+$/, '')}`;
  if (dt.kind === 'utc') return `${text}Z`;
  if (dt.kind === 'unspecified') return text;
  const abs = Math.abs(localOffsetMinutes);
  return `${text}${localOffsetMinutes >= 0 ? '+' : '-'}${pad(Math.floor(abs / 60) % 24, 2)}:${pad(abs % 60, 2)}`;
}

/**
 * The text Newtonsoft writes back for `value` after reading it with DateParseHandling.DateTime,
 * or undefined when it does not take `value` for a date (then the string is kept as it is).
 */
export function netDateText(value: string, options: DateOptions = {}): string | undefined {
  const offsetMinutes = options.localOffsetMinutes ?? 0;
  const localOffset = BigInt(offsetMinutes) * 60n * TICKS_PER_SECOND;
  let dt: NetDateTime | undefined;
  if (value.startsWith('/')) {
    if (value.length >= 9) dt = parseMicrosoft(value, localOffset);
  } else if (value.length >= 19 && value.length <= 40 && isDigit(value, 0) && value[10] === 'T') {
    dt = parseIso(value, localOffset);
  }
  return dt && writeIso(dt, offsetMinutes);
}

/** `value` (parsed JSON) with every date-like string value rewritten as the extension writes it. */
export function reserialiseDateValues(value: unknown, options: DateOptions = {}): unknown {
  if (typeof value === 'string') return netDateText(value, options) ?? value;
  if (Array.isArray(value)) return value.map((v) => reserialiseDateValues(v, options));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = reserialiseDateValues(v, options);
    return out;
  }
  return value;
}

/**
 * JSON text in, the same JSON as JObject.Parse + JToken.ToString(Formatting.None) re-emit it, as
 * far as a JavaScript reader can tell (whitespace, escapes and number spelling aside): dates rewritten.
 */
export function reserialiseDates(json: string, options: DateOptions = {}): string {
  return JSON.stringify(reserialiseDateValues(JSON.parse(json), options));
}
