/**
 * The tiny timeline language of `sim pty --script`: comma-separated `action[:arg]@seconds`, e.g.
 * `fall@5,clear@40,hr:72@1`. Parsing is pure; `playTimeline` owns the timers.
 */

export interface TimelineStep {
  action: string;
  arg: string | undefined;
  atSeconds: number;
}

/** Parses a script into steps sorted by time (stable, so equal times keep their written order). */
export function parseTimeline(script: string): TimelineStep[] {
  const steps = script
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(parseStep);
  return steps.sort((a, b) => a.atSeconds - b.atSeconds);
}

function parseStep(part: string): TimelineStep {
  // The last '@' separates the time, so debug text may itself contain '@'.
  const at = part.lastIndexOf('@');
  if (at <= 0) throw new Error(`script step "${part}" needs a time: action[:arg]@seconds`);
  const atSeconds = Number(part.slice(at + 1));
  if (part.slice(at + 1).trim() === '' || !Number.isFinite(atSeconds) || atSeconds < 0) {
    throw new Error(`script step "${part}" has a bad time; use seconds >= 0`);
  }
  const head = part.slice(0, at);
  const colon = head.indexOf(':');
  const action = (colon === -1 ? head : head.slice(0, colon)).trim();
  const arg = colon === -1 ? undefined : head.slice(colon + 1);
  if (action === '') throw new Error(`script step "${part}" has no action`);
  return { action, arg, atSeconds };
}

export interface RunningTimeline {
  /** Resolves when every step has run (never, if the timeline is stopped first). */
  done: Promise<void>;
  stop(): void;
}

/**
 * Runs each step at its time after now. Steps run one at a time in timeline order, even when one
 * takes longer than the gap to the next, so the byte order on the wire is always the script's order.
 */
export function playTimeline<S extends TimelineStep>(
  steps: readonly S[],
  run: (step: S) => Promise<void>,
): RunningTimeline {
  const timers: NodeJS.Timeout[] = [];
  let chain = Promise.resolve();
  let stopped = false;
  const finished = steps.map(
    (step) =>
      new Promise<void>((resolve) => {
        timers.push(
          setTimeout(() => {
            chain = chain.then(() => (stopped ? undefined : run(step))).then(resolve, resolve);
          }, step.atSeconds * 1000),
        );
      }),
  );
  return {
    done: Promise.all(finished).then(() => undefined),
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
