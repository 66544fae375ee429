// Timer triggers: schedule validation at host start, the v4 Timer object, and real-clock firing
// for the CLI. Schedules may be `%SETTING%` references, resolved against the app settings.
// Deviation: the TimeSpan form ("00:05:00"), which only App Service plans accept, is refused.
import type { Clock, FunctionRegistration, HostSettings, Registry } from '../types';
import { nextNcrontabOccurrence, parseNcrontab, type NcrontabSchedule } from './ncrontab';

export { NcrontabError, parseNcrontab } from './ncrontab';
export type { NcrontabSchedule } from './ncrontab';

export class TimerScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimerScheduleError';
  }
}

/** The resolved, parsed schedule of one timer function; throws naming the function. */
export function timerSchedule(
  fn: FunctionRegistration,
  settings: Pick<HostSettings, 'resolve'>,
): NcrontabSchedule {
  const raw = fn.bindings[fn.triggerBindingName]?.schedule;
  try {
    if (typeof raw !== 'string' || raw.trim() === '') throw new Error('the schedule is missing');
    return parseNcrontab(settings.resolve(raw));
  } catch (error) {
    throw new TimerScheduleError(
      `Timer function '${fn.name}' has an invalid schedule: ${(error as Error).message}`,
    );
  }
}

/** Fails host start loudly when any timer schedule is invalid. */
export function validateTimers(registry: Registry, settings: Pick<HostSettings, 'resolve'>): void {
  const problems: string[] = [];
  for (const fn of registry.byTriggerType('timerTrigger')) {
    try {
      timerSchedule(fn, settings);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new TimerScheduleError(problems.join('\n'));
}

/** The next occurrence strictly after `after`; accepts an expression or a parsed schedule. */
export function nextOccurrence(schedule: string | NcrontabSchedule, after: Date): Date | undefined {
  return nextNcrontabOccurrence(typeof schedule === 'string' ? parseNcrontab(schedule) : schedule, after);
}

/** The v4 `Timer` argument (already camelCased, as the programming model delivers it). */
export interface TimerInput {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string };
}

/**
 * The Timer object for an invocation at `scheduledTime`. With a schedule, `scheduleStatus.next`
 * is the occurrence after this one; without, it repeats `scheduledTime`.
 */
export function timerInput(
  scheduledTime: Date,
  isPastDue = false,
  schedule?: string | NcrontabSchedule,
): TimerInput {
  const at = scheduledTime.toISOString();
  const next = schedule === undefined ? undefined : nextOccurrence(schedule, scheduledTime);
  return {
    isPastDue,
    schedule: { adjustForDST: true },
    scheduleStatus: { last: at, next: next?.toISOString() ?? at, lastUpdated: at },
  };
}

export interface ScheduleTimersOptions {
  registry: Registry;
  settings: Pick<HostSettings, 'resolve'>;
  clock: Pick<Clock, 'now'>;
  fire(name: string, scheduledTime: Date): Promise<unknown> | unknown;
  logError?: (message: string, error: unknown) => void;
}

// setTimeout cannot wait longer than 2^31-1 ms; longer waits are re-armed.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Fires every timer function on its schedule in real time (the CLI). Like the host's singleton
 * timer listener, one function never overlaps itself: the next occurrence is armed after `fire`
 * settles. `runOnStartup` fires once immediately.
 */
export function scheduleTimers(options: ScheduleTimersOptions): { stop(): void } {
  const handles = new Set<NodeJS.Timeout>();
  let stopped = false;
  const logError = options.logError ?? ((message, error) => console.error(`[tests/host] ${message}:`, error));

  const arm = (name: string, schedule: NcrontabSchedule, after: Date): void => {
    const due = nextOccurrence(schedule, after);
    if (!due || stopped) return;
    const wait = (): void => {
      const remaining = due.getTime() - options.clock.now();
      const handle = setTimeout(
        () => {
          handles.delete(handle);
          if (stopped) return;
          if (due.getTime() > options.clock.now()) return wait();
          void run(name, schedule, due);
        },
        Math.max(0, Math.min(remaining, MAX_TIMEOUT_MS)),
      );
      handles.add(handle);
    };
    wait();
  };

  const run = async (name: string, schedule: NcrontabSchedule, scheduledTime: Date): Promise<void> => {
    try {
      await options.fire(name, scheduledTime);
    } catch (error) {
      logError(`Timer function '${name}' failed`, error);
    }
    arm(name, schedule, new Date(Math.max(scheduledTime.getTime(), options.clock.now())));
  };

  for (const fn of options.registry.byTriggerType('timerTrigger')) {
    const schedule = timerSchedule(fn, options.settings);
    const startedAt = new Date(options.clock.now());
    if (fn.bindings[fn.triggerBindingName]?.runOnStartup === true) void run(fn.name, schedule, startedAt);
    else arm(fn.name, schedule, startedAt);
  }

  return {
    stop() {
      stopped = true;
      for (const handle of handles) clearTimeout(handle);
      handles.clear();
    },
  };
}
