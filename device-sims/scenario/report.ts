import type { Action } from './plan.ts';
import { actionType, type RunStats } from './run.ts';

const clock = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** One line per action: what `--dry-run` prints and what a run logs for timeline steps. */
export function describeAction(a: Action): string {
  const at = `+${(a.atMs / 1000).toFixed(3).padStart(9)}s`;
  const head = `${at}  ${a.gatewayId.padEnd(12)}`;
  switch (a.kind) {
    case 'event': {
      const data = a.data ? ` ${JSON.stringify(a.data)}` : '';
      const skipped = a.skipped ? '  (not sent: no power)' : '';
      return `${head}  ${a.deviceId.padEnd(18)}  event ${a.type} id=${a.id}${data}${skipped}`;
    }
    case 'vitals':
      return `${head}  ${a.deviceId.padEnd(18)}  vitals ${JSON.stringify(a.reading)} id=${a.id}`;
    case 'device_state':
      return `${head}  ${a.deviceId.padEnd(18)}  state battery=${a.battery}`;
    default:
      return `${head}  ${''.padEnd(18)}  ${actionType(a)}`;
  }
}

/** The live line: a bar of scenario time, connections and counts. */
export function progressLine(s: RunStats, width = 24): string {
  const fraction = s.durationMs > 0 ? Math.min(1, s.playedMs / s.durationMs) : 1;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  return (
    `${bar} ${String(Math.round(fraction * 100)).padStart(3)}%  ${clock(s.playedMs)}/${clock(s.durationMs)}` +
    `  homes ${s.connected}/${s.homes}  sent ${s.sent}  acked ${s.acked}  failed ${s.failed}`
  );
}

/** The final summary: totals, then one row per message type. */
export function summary(s: RunStats): string {
  const rows = Object.entries(s.byType)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, n]) => `  ${type.padEnd(16)} ${String(n.sent).padStart(9)} ${String(n.acked).padStart(9)}`);
  return [
    `sim: ${s.homes} homes, ${clock(s.playedMs)} of scenario time`,
    `sim: ${s.sent} messages sent, ${s.acked} acknowledged by the broker, ${s.failed} failed, ${s.skipped} not sent (no power)`,
    `  ${'type'.padEnd(16)} ${'sent'.padStart(9)} ${'acked'.padStart(9)}`,
    ...rows,
  ].join('\n');
}

/**
 * Progress on a terminal: one line redrawn in place, step lines printed above it. Elsewhere (CI, a
 * log file): the step lines, and a plain progress line every `everyMs`.
 */
export class ProgressPrinter {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #everyMs: number;
  #last = 0;

  constructor(out: NodeJS.WriteStream = process.stdout, everyMs = 10_000) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#everyMs = everyMs;
  }

  line(text: string): void {
    this.#out.write(this.#tty ? `\r\x1b[K${text}\n` : `${text}\n`);
  }

  progress(stats: RunStats): void {
    const now = Date.now();
    if (this.#tty) {
      if (now - this.#last < 100) return;
      this.#last = now;
      this.#out.write(`\r\x1b[K${progressLine(stats)}`);
    } else if (now - this.#last >= this.#everyMs) {
      this.#last = now;
      this.#out.write(`${progressLine(stats)}\n`);
    }
  }

  done(stats: RunStats): void {
    if (this.#tty) this.#out.write('\r\x1b[K');
    this.#out.write(`${summary(stats)}\n`);
  }
}
