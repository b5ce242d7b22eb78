import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport, LatencyPoint, Percentiles, StormRun } from './bench.ts';
import { barChart } from './svg.ts';

const pointLabel = (p: { gateways: number; vitalsPerS: number }) =>
  `${p.gateways.toLocaleString('en')} gw, ${p.vitalsPerS.toLocaleString('en')}/s`;
const n = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toLocaleString('en'));
const ms = (p: Percentiles | undefined) =>
  !p
    ? '—'
    : p.received === 0
      ? `**none of ${p.sent} arrived** within the wait`
      : `${p.p50Ms} / ${p.p95Ms} / ${p.p99Ms} / ${p.maxMs}${p.lost ? ` (**${p.lost} of ${p.sent} not arrived** within the wait)` : ''}`;
/** KiB per gateway, the RSS in MiB in brackets. */
const memory = (x: { rssPerGatewayKiB: number; rssMiB: number } | undefined) =>
  x ? `${x.rssPerGatewayKiB} (${x.rssMiB})` : '—';
const met = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'met' : '**missed**');

/** The SVG charts of a report, written beside it as `<stem>-<chart>.svg`; answers their paths. */
export function writeCharts(report: BenchReport, dir: string, stem: string): string[] {
  const files: string[] = [];
  const write = (name: string, svg: string) => {
    const path = join(dir, `${stem}-${name}.svg`);
    writeFileSync(path, svg);
    files.push(path);
  };
  const latency = report.results.latency;
  if (latency?.ours && latency.oursBroker && latency.mosquitto) {
    const groups = latency.ours.points.map(pointLabel);
    const pick = (points: LatencyPoint[], key: 'p50Ms' | 'p99Ms', e2e = false) =>
      points.map((p) => {
        // Nothing arrived: no bar (a 0 would read as instant).
        const q = e2e ? p.endToEnd : p.broker;
        return q && q.received > 0 ? q[key] : null;
      });
    for (const key of ['p50Ms', 'p99Ms'] as const)
      write(
        `latency-${key.slice(0, 3)}`,
        barChart({
          title: `SOS latency ${key.slice(0, 3)} under background vitals (no bar: none arrived)`,
          unit: 'ms',
          log: true,
          groups,
          series: [
            { name: 'Mosquitto → subscriber', values: pick(latency.mosquitto.points, key) },
            { name: 'our broker alone → subscriber', values: pick(latency.oursBroker.points, key) },
            { name: 'npm start → subscriber', values: pick(latency.ours.points, key) },
            { name: 'npm start → dispatcher socket', values: pick(latency.ours.points, key, true) },
          ],
        }),
      );
  }
  const sustained = report.results.sustained;
  if (sustained)
    write(
      'sustained',
      barChart({
        title: 'Highest sustained vitals rate of one process',
        unit: 'messages/s',
        groups: ['Mosquitto (forwarded)', 'our broker (forwarded)', 'npm start, SQLite (stored)'],
        series: [
          {
            name: 'kept up (≥ 95 % in time)',
            values: [
              sustained.mosquitto.sustainedPerS,
              sustained.oursBroker.sustainedPerS,
              sustained.oursCloud.sustainedPerS,
            ],
          },
        ],
      }),
    );
  return files;
}

function stormRow(name: string, s: StormRun | undefined): string {
  if (!s) return `| ${name} | — | | | | | | |`;
  return `| ${name} | ${n(s.sos)} in ${n(s.publishMs)} ms (${n(s.acked)} acked) | ${n(s.onSubscriberMs)} | ${n(s.storedMs)} | ${n(s.onDashboardMs)} | ${s.lost} | ${n(s.duplicated)} | ${n(s.duplicatedOnDashboard)} |`;
}

/** The Markdown page of a report: conditions, targets, then every table. */
export function benchMarkdown(report: BenchReport, charts: string[]): string {
  const m = report.machine as Record<string, unknown>;
  const { latency, sustained, sosStorm, connect } = report.results;
  const lines: string[] = [];
  lines.push(
    `# npm run bench, ${report.startedAt.slice(0, 10)}${report.options.quick ? ' (--quick)' : ''}`,
    '',
    `**Machine:** ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node.js ${m.node}, ${m.platform}. ` +
      `1-minute load average at start: ${(m.loadAverageAtStart as number[] | undefined)?.[0] ?? '?'}; ` +
      `before each measurement: ${Object.entries(report.loadBefore)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}. Run took ${report.durationS} s.`,
    '',
    'The machine is shared with other work, and the load generator (fleet worker processes playing gateways ' +
      'over raw MQTT, each from its own loopback address), the probes, the subscriber and the dispatcher ' +
      'socket run on the same cores as the process measured: every figure is a conservative one for that ' +
      'process. Raw figures: the JSON beside this file.',
    '',
    '**What ran.** Ours for latency and the storm: `npm start` as one process (embedded broker + cloud, ' +
      'SQLite), gateways provisioned with their own credentials (stored as salted SHA-256, as the cloud ' +
      'stores every gateway’s). Ours for the broker rate: ' +
      '`npm run broker`. Mosquitto: Debian’s `mosquitto`, one process, anonymous, no persistence, started ' +
      'on a free port with a generated config. The same load generator drives both.',
    '',
  );
  const at = latency?.ours.points.find(
    (p) => p.gateways === report.targets.gateways && p.vitalsPerS === report.targets.vitalsPerS,
  );
  lines.push(
    '## Targets (reported, not asserted)',
    '',
    '| target | measured | |',
    '|---|---|---|',
    `| p99 alert latency ≤ ${report.targets.alertP99Ms} ms at ${n(Number(report.targets.gateways))} gateways and ${n(Number(report.targets.vitalsPerS))} vitals/s (publish → dispatcher socket) | ${at?.endToEnd ? `${at.endToEnd.p99Ms} ms` : 'not at this point'} | ${met(at?.endToEnd ? at.endToEnd.p99Ms <= Number(report.targets.alertP99Ms) : null)} |`,
    `| ≥ ${n(Number(report.targets.vitalsPerBrokerPerS))} vitals/s per broker process | ${sustained ? `${n(sustained.oursBroker.sustainedPerS)}/s` : '—'} | ${met(sustained ? sustained.oursBroker.sustainedPerS >= Number(report.targets.vitalsPerBrokerPerS) : null)} |`,
    `| ${n(report.options.stormSos)}-SOS storm fully on the dashboard in ≤ ${n(Number(report.targets.stormOnDashboardMs))} ms | ${sosStorm?.ours.onDashboardMs != null ? `${n(sosStorm.ours.onDashboardMs)} ms` : 'not all arrived'} | ${met(sosStorm ? sosStorm.ours.onDashboardMs != null && sosStorm.ours.onDashboardMs <= Number(report.targets.stormOnDashboardMs) : null)} |`,
    '',
  );
  if (report.options.quick)
    lines.push(
      '`--quick` shrinks every load (hundreds of gateways), so the targets above are not comparable here.',
      '',
    );
  if (latency?.ours && latency.oursBroker && latency.mosquitto) {
    lines.push(
      '## SOS latency under background vitals',
      '',
      `${report.options.probesPerPoint} probe gateways per load point press SOS (QoS 1) one after another, ` +
        `every ${report.options.probeIntervalMs} ms, while the fleet sends QoS 0 vitals at the given rate. ` +
        'Times in ms: p50 / p95 / p99 / max, from the publish to a raw MQTT subscriber on the same broker ' +
        '(like for like: Mosquitto, our broker process alone, and `npm start` whose broker shares its ' +
        'process with the cloud), and from the publish to the dispatcher’s Socket.IO `alert:raised` ' +
        '(`npm start`). The last column: the point’s readings `npm start` stored, and when the last one was ' +
        'stored, in ms after the vitals stopped. A probe not arrived within 10 s of the last arrival (at ' +
        'most 60 s after the vitals stopped) counts as not arrived.',
      '',
      '| gateways | vitals/s | Mosquitto → subscriber | our broker alone → subscriber | npm start → subscriber | npm start → dispatcher socket | npm start: vitals stored |',
      '|---|---|---|---|---|---|---|',
    );
    latency.ours.points.forEach((p, i) => {
      const q = latency.mosquitto.points[i];
      const b = latency.oursBroker.points[i];
      lines.push(
        `| ${n(p.gateways)} | ${n(p.vitalsPerS)} | ${ms(q?.broker)} | ${ms(b?.broker)} | ${ms(p.broker)} | ${ms(p.endToEnd)} | ${n(p.vitalsStored)} of ${n(p.vitalsSent)} (${n(p.vitalsStoredAfterMs)} ms) |`,
      );
    });
    lines.push(
      '',
      '## Connect storm and memory per gateway',
      '',
      'Gateways connect as the edge agent does (will and birth retained, `cmd/#` subscribed), 50 CONNECTs in ' +
        'flight per worker, up to each load point. Memory: (RSS at the point − RSS before any gateway) / ' +
        'gateways (RSS in MiB in brackets). `npm start` is the whole process, broker and cloud. CPU: of ' +
        'the measured process per connect.',
      '',
      '| gateways | Mosquitto connects/s | our broker connects/s | npm start connects/s | CPU per connect (Mosquitto / broker / npm start) | Mosquitto KiB/gateway | our broker KiB/gateway | npm start KiB/gateway |',
      '|---|---|---|---|---|---|---|---|',
    );
    latency.ours.points.forEach((p, i) => {
      const q = latency.mosquitto.points[i];
      const b = latency.oursBroker.points[i];
      const added = p.connect.added > 0;
      lines.push(
        `| ${n(p.gateways)} | ${added ? n(q?.connect.perSecond) : '—'} | ${added ? n(b?.connect.perSecond) : '—'} | ${added ? n(p.connect.perSecond) : '—'} | ${added ? `${q?.connect.cpuMsPerConnect} / ${b?.connect.cpuMsPerConnect} / ${p.connect.cpuMsPerConnect} ms` : '—'} | ${memory(q)} | ${memory(b)} | ${memory(p)} |`,
      );
    });
    lines.push(
      '',
      `Idle RSS: Mosquitto ${latency.mosquitto.idleRssMiB} MiB, our broker ${latency.oursBroker.idleRssMiB} MiB, npm start ${latency.ours.idleRssMiB} MiB.`,
      '',
    );
  }
  if (connect) {
    lines.push(
      '## Connect ramp (`--only connect`)',
      '',
      'Gateways connect as the edge agent does (will and birth retained, `cmd/#` subscribed), 50 CONNECTs in ' +
        'flight per worker, in steps up to each size, with no other load: our broker process alone ' +
        '(`npm run broker`) beside Mosquitto. CPU: of the broker process per connect. Memory: (RSS after the ' +
        'step − RSS before any gateway) / gateways (RSS in MiB in brackets).',
      '',
      '| gateways | Mosquitto connects/s | our broker connects/s | CPU per connect (Mosquitto / our broker) | Mosquitto KiB/gateway | our broker KiB/gateway |',
      '|---|---|---|---|---|---|',
    );
    connect.oursBroker.steps.forEach((b, i) => {
      const q = connect.mosquitto.steps[i];
      lines.push(
        `| ${n(b.gateways)} | ${n(q?.connect.perSecond)} | ${n(b.connect.perSecond)} | ${q?.connect.cpuMsPerConnect} / ${b.connect.cpuMsPerConnect} ms | ${memory(q)} | ${memory(b)} |`,
      );
    });
    lines.push(
      '',
      `Idle RSS: Mosquitto ${connect.mosquitto.idleRssMiB} MiB, our broker ${connect.oursBroker.idleRssMiB} MiB.`,
      '',
    );
  }
  if (sustained) {
    const broker = (name: string, t: typeof sustained.mosquitto) =>
      `| ${name} | ${n(t.gateways)} | ${n(t.sustainedPerS)} | ${t.steps.map((s) => `${n(s.offeredPerS)}→${n(s.receivedPerS)} (${s.brokerCpuPct} %)`).join(', ')} | ${t.limit} |`;
    lines.push(
      '## Highest sustained vitals rate',
      '',
      `QoS 0 vitals stepped up (${report.options.stepSeconds} s per step) until less than 95 % of what was ` +
        'sent in a step arrived (brokers: at a subscriber of every gateway’s vitals) or was stored (cloud: ' +
        'rows in SQLite, every reading an id of its own) during the step. Steps: offered → kept up per s ' +
        '(CPU of the process, % of one core).',
      '',
      '| process | gateways | sustained msg/s | steps | stopped by |',
      '|---|---|---|---|---|',
      broker('Mosquitto', sustained.mosquitto),
      broker('`npm run broker`', sustained.oursBroker),
      `| \`npm start\`, SQLite (stored) | ${n(sustained.oursCloud.gateways)} | ${n(sustained.oursCloud.sustainedPerS)} | ${sustained.oursCloud.steps.map((s) => `${n(s.offeredPerS)}→${n(s.storedPerS)} (${s.cpuPct} %${s.lost ? `, ${n(s.lost)} lost` : ''})`).join(', ')} | ${sustained.oursCloud.limit} |`,
      '',
    );
  }
  if (sosStorm) {
    lines.push(
      '## Alert storm',
      '',
      `${n(report.options.stormSos)} SOS (QoS 1) from distinct gateways within ${report.options.stormSpreadMs} ms. ` +
        'Times in ms from the first publish. Lost: SOS never stored or never on the dispatcher socket ' +
        '(Mosquitto: never at the subscriber). Duplicated at the subscriber: our broker journals every event ' +
        'and resends it to the cloud’s account until the cloud acknowledges its commit (at least once by ' +
        'design, the cloud dedupes by event id), so a subscriber on that account sees resends while the ' +
        'cloud is behind. Duplicated on the dashboard: one SOS raised twice (must be 0).',
      '',
      '| broker | published | all on subscriber | all stored | all on dispatcher socket | lost | duplicated at subscriber | duplicated on dashboard |',
      '|---|---|---|---|---|---|---|---|',
      stormRow('Mosquitto', sosStorm.mosquitto),
      stormRow('our broker alone', sosStorm.oursBroker),
      stormRow('`npm start`', sosStorm.ours),
      '',
    );
  }
  if (charts.length) {
    lines.push('## Charts', '');
    for (const c of charts) lines.push(`![${c}](${c})`, '');
  }
  return `${lines.join('\n')}\n`;
}
