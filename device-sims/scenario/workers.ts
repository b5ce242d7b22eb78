import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { FleetShare } from './fleet-split.ts';
import { addStats, emptyStats, type RunStats } from './run.ts';

/** Messages between the parent and its workers over the fork IPC channel. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; stats: RunStats }
  | { type: 'line'; text: string }
  | { type: 'done'; stats: RunStats }
  | { type: 'failed'; message: string };
export type ParentMessage = { type: 'start'; at: number };

const MAIN = join(import.meta.dirname, '..', 'main.ts');

/**
 * Runs a scenario split over worker processes (`sim run … --share FROM:TO --local-address A`): waits
 * until every worker has connected its homes, gives them one common start time, passes their step
 * lines on and adds their progress up. Rejects when a worker fails or exits without a result.
 */
export async function runWorkers(
  shares: readonly FleetShare[],
  args: readonly string[],
  on: { line: (text: string) => void; progress: (stats: RunStats) => void },
): Promise<RunStats> {
  const latest = shares.map(() => emptyStats());
  let ready = 0;
  const children = shares.map((share) =>
    fork(
      MAIN,
      [
        ...args,
        '--share',
        `${share.from}:${share.to}`,
        ...(share.localAddress ? ['--local-address', share.localAddress] : []),
      ],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    ),
  );
  const results = children.map(
    (child, w) =>
      new Promise<RunStats>((resolve, reject) => {
        child.on('message', (m: WorkerMessage) => {
          if (m.type === 'ready' && ++ready === children.length) {
            const start: ParentMessage = { type: 'start', at: Date.now() + 200 };
            for (const c of children) c.send(start);
          } else if (m.type === 'progress' || m.type === 'done') {
            latest[w] = m.stats;
            on.progress(addStats(latest));
            if (m.type === 'done') resolve(m.stats);
          } else if (m.type === 'line') {
            on.line(m.text);
          } else if (m.type === 'failed') {
            reject(new Error(`worker ${w}: ${m.message}`));
          }
        });
        child.on('exit', (code) => reject(new Error(`worker ${w} exited (${code}) before it finished`)));
      }),
  );
  try {
    return addStats(await Promise.all(results));
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  }
}
