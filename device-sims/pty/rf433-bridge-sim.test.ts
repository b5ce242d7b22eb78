import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RepeatFolder,
  RF_ACK,
  RF_BRIDGE_BAUD,
  RfBridgeDecoder,
  type RfBridgeFrame,
  splitEv1527,
} from '../../edge/codecs/index.ts';
import { type AgentEnd, Cleanup, openAgent, pairFor, waitFor, wireHex } from './pty-test-support.ts';
import { Rf433BridgeSim } from './rf433-bridge-sim.ts';

describe('the Sonoff RF Bridge simulator on a pty', () => {
  const cleanup = new Cleanup();
  let sim: Rf433BridgeSim;
  let agent: AgentEnd;
  let frames: RfBridgeFrame[];
  /** Monotonic arrival times of the frames, for the repeat folder. */
  let arrivals: number[];

  beforeEach(async () => {
    const pair = await pairFor(cleanup);
    sim = new Rf433BridgeSim({ path: pair.devicePath });
    await sim.open();
    cleanup.add(() => sim.close());
    agent = await openAgent(pair.agentPath, RF_BRIDGE_BAUD);
    cleanup.add(() => agent.close());
    const decoder = new RfBridgeDecoder();
    frames = [];
    arrivals = [];
    // The host acknowledges every frame, as the edge driver does.
    agent.port.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        frames.push(frame);
        arrivals.push(performance.now());
        agent.port.write(Buffer.from(RF_ACK));
      }
    });
  });
  afterEach(() => cleanup.run());

  it('a held 433 button sends three identical frames and the host ACK is recorded', async () => {
    await sim.press('511451');
    await waitFor('three ACKs at the bridge', () => sim.acks === 3);
    const code = { sync: 9920, low: 310, high: 970, code: '511451' };
    expect(frames).toEqual([1, 2, 3].map(() => ({ kind: 'received', ...code })));
    expect(wireHex(agent.chunks)).toContain('AA A4 26 C0 01 36 03 CA 51 14 51 55');
    expect(splitEv1527('511451')).toEqual({ address: '51145', key: 1 });
    expect(sim.receivedBytes()).toEqual(Buffer.concat([RF_ACK, RF_ACK, RF_ACK]));
  });

  it('the repeats of a held button fold into one press at the host', async () => {
    await sim.press('a1b2c3', { repeats: 4, gapMs: 50 });
    await waitFor('four frames', () => frames.length === 4);
    const folder = new RepeatFolder();
    const accepted = arrivals.map((at) => folder.accept('A1B2C3', at));
    expect(accepted).toEqual([true, false, false, false]);
  });

  it('custom pulse timings and a single repeat are sent as given', async () => {
    await sim.press('00000F', { repeats: 1, sync: 11500, low: 357, high: 1064 });
    await waitFor('one frame', () => frames.length === 1);
    expect(frames[0]).toEqual({ kind: 'received', sync: 11500, low: 357, high: 1064, code: '00000F' });
  });

  it('a code that is not six hex digits is refused before anything is sent', async () => {
    await expect(sim.press('51145')).rejects.toThrow(RangeError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(agent.chunks).toEqual([]);
  });
});
