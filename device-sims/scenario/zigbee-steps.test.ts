import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../tests/support/system.ts';
import { parseScenario, ScenarioError } from './parse.ts';
import { describeZigbeeStep, startZigbeeSteps } from './zigbee-steps.ts';

const file = (timeline: string) => `{"seed": 1, "homes": "all", "timeline": [${timeline}]}`;

describe('zigbee steps of a scenario file', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
  });

  it('"at 30 s smoke in the kitchen" is a zigbee step, kept apart from the homes\' timeline and in time order', () => {
    const s = parseScenario(
      file(`{"at": 30, "do": "zigbee", "sensor": "kitchen_smoke", "set": {"smoke": true}},
            {"at": 5, "do": "zigbee", "sensor": "front_door", "availability": "offline"},
            {"at": 10, "do": "smoke", "home": 1, "room": "kitchen"}`),
    );
    expect(s.zigbee.map((z) => z.at)).toEqual([5, 30]);
    expect(s.timeline).toHaveLength(1);
    expect(s.duration).toBe(35);
    expect(describeZigbeeStep(s.zigbee[1] as (typeof s.zigbee)[number])).toMatch(
      /\+ +30\.000s +zigbee +kitchen_smoke +set \{"smoke":true\}/,
    );
  });

  it('a zigbee step needs exactly one of set, press or availability, and takes no home', () => {
    const error = (step: string) => {
      try {
        parseScenario(file(step), 'z.json');
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError);
        return (err as Error).message;
      }
      throw new Error('parsed');
    };
    expect(error('{"at": 1, "do": "zigbee", "sensor": "smoke"}')).toMatch(/exactly one of "set"/);
    expect(
      error('{"at": 1, "do": "zigbee", "sensor": "smoke", "set": {"smoke": true}, "press": "x"}'),
    ).toMatch(/exactly one/);
    expect(error('{"at": 1, "do": "zigbee", "sensor": "smoke", "home": 1, "press": "x"}')).toMatch(
      /\/timeline\/0\/home is not a field of a "zigbee" step/,
    );
  });

  it("the run's bridge plays the steps in order on the zigbee2mqtt topics, and refuses a sensor it lacks", async () => {
    const s = parseScenario(
      file(`{"at": 0.2, "do": "zigbee", "sensor": "smoke", "set": {"smoke": true}},
            {"at": 0.3, "do": "zigbee", "sensor": "button", "press": "single"}`),
    );
    const lines: string[] = [];
    const { bridge, timeline } = await startZigbeeSteps(s.zigbee, {
      port: 0,
      speed: 1,
      log: (l) => lines.push(l),
    });
    cleanup.push(() => bridge.stop());
    cleanup.push(async () => timeline.stop());
    const client = await mqtt.connectAsync(bridge.url, { protocolVersion: 4, reconnectPeriod: 0 });
    cleanup.push(() => client.endAsync(true));
    const seen: Record<string, unknown>[] = [];
    client.on('message', (topic, payload) => {
      if (topic === 'zigbee2mqtt/kitchen_smoke' || topic === 'zigbee2mqtt/bedside_button')
        seen.push({ topic, ...(JSON.parse(payload.toString()) as object) });
    });
    await client.subscribeAsync('zigbee2mqtt/+', { qos: 1 });
    await timeline.done;
    await eventually(() => seen.length === 2, 3000, 'both messages');
    expect(seen[0]).toMatchObject({ topic: 'zigbee2mqtt/kitchen_smoke', smoke: true });
    expect(seen[1]).toMatchObject({ topic: 'zigbee2mqtt/bedside_button', action: 'single' });
    expect(lines[0]).toMatch(/zigbee2mqtt bridge on mqtt:\/\//);
    const bad = parseScenario(file('{"at": 1, "do": "zigbee", "sensor": "attic_smoke", "press": "x"}'));
    await expect(startZigbeeSteps(bad.zigbee, { port: 0, speed: 1, log: () => {} })).rejects.toThrow(
      /no zigbee device "attic_smoke"/,
    );
  });
});
