import { execFileSync } from 'node:child_process';

export interface FleetShare {
  worker: number;
  /** Homes with an index in [from, to). */
  from: number;
  to: number;
  /** The worker's own source address (127.0.0.2, 127.0.0.3 …), when the fleet is split over loopback. */
  localAddress?: string;
}

export interface SplitOptions {
  homes: number;
  /** The open-file limit of one process (`ulimit -n`). */
  fdLimit: number;
  /** Descriptors one home takes (its socket). */
  fdsPerHome?: number;
  /** Descriptors a process keeps for itself (stdio, IPC, the event loop, logs). */
  reserveFds?: number;
  /** The brokers are on this machine, so workers can take loopback source addresses of their own. */
  loopback: boolean;
}

/**
 * One source address reaches one broker port through at most ~28,000 ephemeral ports (Linux's default
 * 32768-60999), so a share never holds more homes than that either.
 */
export const MAX_HOMES_PER_SOURCE_ADDRESS = 28_000;

/**
 * How a fleet is spread over processes: one process while its homes fit under the open-file limit,
 * otherwise as few workers as fit, with the homes shared evenly and (on loopback) a source address each.
 */
export function splitFleet(options: SplitOptions): FleetShare[] {
  const { homes, fdLimit, fdsPerHome = 1, reserveFds = 256, loopback } = options;
  const perProcess = Math.min(Math.floor((fdLimit - reserveFds) / fdsPerHome), MAX_HOMES_PER_SOURCE_ADDRESS);
  if (perProcess < 1)
    throw new Error(
      `an open-file limit of ${fdLimit} leaves no room for a home (${reserveFds} are reserved)`,
    );
  if (homes <= perProcess) return [{ worker: 0, from: 0, to: homes }];
  const workers = Math.ceil(homes / perProcess);
  // 127.0.0.2 to 127.0.0.254: 127.0.0.1 stays the brokers' own address.
  if (loopback && workers > 253)
    throw new Error(`${homes} homes need ${workers} workers; at most 253 fit on loopback`);
  const base = Math.floor(homes / workers);
  const extra = homes % workers;
  const shares: FleetShare[] = [];
  let from = 0;
  for (let w = 0; w < workers; w++) {
    const to = from + base + (w < extra ? 1 : 0);
    shares.push({ worker: w, from, to, ...(loopback ? { localAddress: `127.0.0.${w + 2}` } : {}) });
    from = to;
  }
  return shares;
}

/** True when every broker URL points at this machine's loopback. */
export function allLoopback(brokers: readonly string[]): boolean {
  return brokers.every((b) => {
    const host = new URL(b).hostname;
    return host === 'localhost' || host.startsWith('127.');
  });
}

/** This process's open-file limit, as the shell's `ulimit -n` reports it (1024 if it cannot tell). */
export function openFileLimit(): number {
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(out) || 1024;
  } catch {
    return 1024;
  }
}
