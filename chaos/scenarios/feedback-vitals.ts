import { writeFileSync } from 'node:fs';
import { GATEWAY_PREFIX } from '../harness/fleet.ts';
import { onTopology, range, type Scenario, sleep, sosBurst, until } from '../harness/scenario.ts';

/**
 * Beyond SOS. `cmd/feedback`: every gateway's SOS is raised and its `open` feedback arrives; then the
 * only broker is killed -9, a supervisor acknowledges every alert while it is dead, and the broker comes
 * back: each gateway must get its alert's `acknowledged` feedback. Vitals at QoS 0 flow from every gateway
 * all along and are counted: QoS 0 may lose them, so the fraction is reported, not held to zero.
 */
export const feedbackVitals: Scenario = {
  name: 'feedback-and-vitals',
  what: 'alerts acknowledged while the broker is dead (kill -9): their cmd/feedback must reach the gateways once it is back; QoS 0 vitals counted throughout',
  run: (options) =>
    onTopology(
      'feedback-and-vitals',
      options,
      { brokers: 1, vitals: true },
      async ({ topo, fleet, gateways, log, note }) => {
        const broker = topo.brokers[0];
        if (!broker) throw new Error('no broker');
        let vitalsOn = true;
        const vitals = (async () => {
          // One reading per gateway every 10 s, the edge's default `vitalsEveryS`.
          while (vitalsOn) await fleet.vitalsRound(10_000);
        })();
        const feedbackOf = (gatewayId: string, state: string) =>
          (fleet.feedback.get(gatewayId) ?? []).filter((f) => f.state === state);

        await sosBurst(fleet, range(0, fleet.size), 2000);
        const raised = await until(
          async () => (await topo.readAlerts(GATEWAY_PREFIX)).length === fleet.size,
          60_000,
        );
        const openFeedback = await until(
          () => gateways.every((g) => feedbackOf(g.id, 'open').length > 0),
          30_000,
        );
        log(
          `${fleet.size} alerts raised; open feedback at ${gateways.filter((g) => feedbackOf(g.id, 'open').length > 0).length} gateways`,
        );

        await broker.kill('SIGKILL');
        log('broker killed -9; acknowledging every alert meanwhile');
        const token = await topo.api.login('sup-city');
        const alerts = (await topo.api.alerts(token)).filter((a) => a.gatewayId.startsWith(GATEWAY_PREFIX));
        const acknowledged = new Map<string, string>();
        for (const a of alerts) {
          await topo.api.post(token, `/api/alerts/${a.id}/ack`, {});
          acknowledged.set(a.gatewayId, a.id);
        }
        await sleep(2000);
        await broker.start();
        log(`broker restarted after ${acknowledged.size} acknowledgements`);
        const missing = () =>
          [...acknowledged.entries()]
            .filter(([gw, id]) => !feedbackOf(gw, 'acknowledged').some((f) => f.alertId === id))
            .map(([gw]) => gw);
        await until(() => missing().length === 0, 60_000);
        const unfed = missing();
        const lost = unfed.length;
        log(`acknowledged feedback missing at ${lost} of ${acknowledged.size} gateways`);
        if (lost > 0 && process.env.CHAOS_DUMP)
          writeFileSync(
            process.env.CHAOS_DUMP,
            `${topo.clouds.map((c) => c.output()).join('\n=====\n')}\n=====BROKER\n${topo.brokers.map((b) => b.output()).join('\n')}`,
          );

        vitalsOn = false;
        await vitals;
        // Readings still queued for a batch are not lost: count once the store stops growing (3 s still).
        const storedNow = async () =>
          Number(
            (
              await topo.query<{ n: number }>(
                'SELECT count(*) AS n FROM vitals WHERE substr(gateway_id, 1, length(CAST($1 AS TEXT))) = $1',
                [GATEWAY_PREFIX],
              )
            )[0]?.n ?? 0,
          );
        let stored = await storedNow();
        for (let still = 0, waited = 0; still < 3 && waited < 60; waited++) {
          await sleep(1000);
          const n = await storedNow();
          still = n === stored ? still + 1 : 0;
          stored = n;
        }
        const sent = fleet.vitalsSent;
        const pct = sent > 0 ? (100 * (sent - stored)) / sent : 0;
        note(
          `QoS 0 vitals: ${sent} sent on a live link (${fleet.vitalsUnsent} found no link), ${stored} stored, ${sent - stored} lost (${pct.toFixed(1)} %)`,
        );
        return [
          { what: 'every SOS was raised before the fault', ok: raised },
          { what: "every gateway got its alert's open feedback", ok: openFeedback },
          {
            what: `every alert acknowledged while the broker was dead: its feedback reached its gateway (acknowledged ${acknowledged.size} of ${fleet.size}; feedback missing at ${lost}: ${unfed
              .slice(0, 5)
              .map(
                (gw) =>
                  `${gw} saw ${JSON.stringify(feedbackOf(gw, 'acknowledged').concat(feedbackOf(gw, 'open')))}`,
              )
              .join('; ')})`,
            ok: acknowledged.size === fleet.size && lost === 0,
          },
          // Not a loss bar (QoS 0 may lose), only that vitals flow at all through the fault.
          { what: 'QoS 0 vitals were stored (more than half of those sent)', ok: stored > sent / 2 },
        ];
      },
    ),
};
