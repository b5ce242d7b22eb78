import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { formatLine, passed, type ScenarioResult } from './harness/report.ts';
import { diskFullPrerequisite } from './scenarios/disk-full.ts';
import { SCENARIOS } from './scenarios/index.ts';

/**
 * `npm run chaos [-- --only cloud-kill,disk-full] [--gateways 300] [--pause-s 30]`: runs the fault-injection
 * scenarios on real processes, one after the other, printing one counting line each; exit code 1 when any
 * lost, duplicated or failed a check.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      gateways: { type: 'string', default: '300' },
      'pause-s': { type: 'string', default: '30' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  const gateways = Number(values.gateways);
  const pauseS = Number(values['pause-s']);
  if (!Number.isInteger(gateways) || gateways < 4)
    throw new Error('--gateways must be an integer of at least 4');
  if (!(pauseS > 0)) throw new Error('--pause-s must be a positive number of seconds');
  const chosen = SCENARIOS.filter((s) => !only || only.includes(s.name));
  const missing = chosen.some((s) => s.name === 'disk-full') ? diskFullPrerequisite() : null;
  if (missing) throw new Error(`${missing} (or leave it out with --only)`);

  console.log(
    `chaos: ${chosen.length} scenarios, ${gateways} gateways each; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  const results: ScenarioResult[] = [];
  for (const scenario of chosen) {
    console.log(`\n${scenario.name}: ${scenario.what}`);
    const log = values.quiet ? () => {} : (line: string) => console.log(`  ${line}`);
    try {
      const result = await scenario.run({ gateways, pauseS, log });
      results.push(result);
      console.log(`${formatLine(result)}  (${result.seconds} s)`);
      for (const n of result.notes ?? []) console.log(`  note: ${n}`);
    } catch (err) {
      console.log(`${scenario.name.padEnd(22)}  ERROR: ${(err as Error).stack ?? err}`);
      results.push({
        name: scenario.name,
        tally: {
          sent: 0,
          expected: 1,
          found: 0,
          duplicated: 0,
          ackedLost: 0,
          worstDelayMs: 0,
          pushed: 0,
          worstPushMs: 0,
        },
        checks: [{ what: 'the scenario ran to the end', ok: false }],
        seconds: 0,
      });
    }
  }
  console.log('\nsummary');
  for (const r of results) {
    console.log(formatLine(r));
    for (const n of r.notes ?? []) console.log(`  note: ${n}`);
  }
  process.exitCode = results.every(passed) ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message ?? err}`);
  process.exit(1);
});
