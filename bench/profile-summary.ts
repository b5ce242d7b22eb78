import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * `node bench/profile-summary.ts FILE.cpuprofile [N]`: the N functions with the most self time in a V8 CPU
 * profile (`--cpu-prof`), as "where the broker's time goes" for docs/scaling.md.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function topSelfTime(profile: Profile, n: number): { name: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const name = frame
      ? `${frame.functionName || '(anonymous)'} ${basename(frame.url)}:${frame.lineNumber + 1}`
      : '?';
    self.set(name, (self.get(name) ?? 0) + delta);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: Math.round((us / total) * 1000) / 10 }));
}

if (import.meta.main) {
  const [file, n] = process.argv.slice(2);
  if (!file) throw new Error('usage: node bench/profile-summary.ts FILE.cpuprofile [N]');
  for (const row of topSelfTime(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(n ?? 15)))
    console.log(`${String(row.share).padStart(5)} %  ${String(row.ms).padStart(7)} ms  ${row.name}`);
}
