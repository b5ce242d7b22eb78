import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  interpretSy,
  SEEED_RADAR_BAUD,
  SyDecoder,
  type SyFrame,
  type SyReading,
  syQuery,
} from '../../edge/codecs/index.ts';
import { type AgentEnd, Cleanup, openAgent, pairFor, waitFor, wireHex } from './pty-test-support.ts';
import { SeeedRadarSim } from './seeed-radar-sim.ts';

/** The host side: an agent port feeding the SY decoder, as the edge driver does. */
interface Host {
  agent: AgentEnd;
  decoder: SyDecoder;
  frames: SyFrame[];
  readings: () => (SyReading | null)[];
}

describe('the MR60FDA1 / MR60BHA1 simulator on a pty', () => {
  const cleanup = new Cleanup();
  let sim: SeeedRadarSim;
  let host: Host;

  beforeEach(async () => {
    const pair = await pairFor(cleanup);
    sim = new SeeedRadarSim({ path: pair.devicePath });
    await sim.open();
    cleanup.add(() => sim.close());
    const agent = await openAgent(pair.agentPath, SEEED_RADAR_BAUD);
    cleanup.add(() => agent.close());
    const decoder = new SyDecoder();
    const frames: SyFrame[] = [];
    agent.port.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk)));
    host = { agent, decoder, frames, readings: () => frames.map(interpretSy) };
  });
  afterEach(() => cleanup.run());

  it('a radar fall split across two writes arrives as one fall frame', async () => {
    await sim.fallSplit(80);
    await waitFor('the fall frame', () => host.frames.length === 1);
    expect(host.agent.chunks.length).toBeGreaterThanOrEqual(2);
    expect(host.readings()).toEqual([{ kind: 'fall', fallen: true }]);
    expect(host.decoder.stats).toMatchObject({ frames: 1, garbageBytes: 0, abandoned: 0 });
  });

  it('presence, motion, residence and vitals arrive as the readings the SY decoder reports', async () => {
    await sim.presence(true);
    await sim.motion(2);
    await sim.residence(true);
    await sim.heartRate(89);
    await sim.breathRate(16);
    await sim.fall(false);
    await waitFor('six frames', () => host.frames.length === 6);
    expect(host.readings()).toEqual([
      { kind: 'presence', present: true },
      { kind: 'motion', motion: 'active' },
      { kind: 'residence', stationary: true },
      { kind: 'heartRate', bpm: 89 },
      { kind: 'breathRate', perMinute: 16 },
      { kind: 'fall', fallen: false },
    ]);
  });

  it('the bytes on the wire are the worked frames of the protocol notes', async () => {
    await sim.fall(true);
    await sim.heartRate(89);
    await waitFor('20 bytes', () => Buffer.concat(host.agent.chunks).length === 20);
    expect(wireHex(host.agent.chunks)).toBe('53 59 83 01 00 01 01 32 54 43 53 59 85 02 00 01 59 8D 54 43');
  });

  it('the radar answers a presence query with the current presence', async () => {
    await host.agent.write(syQuery(0x80, 0x81));
    await waitFor('the first answer', () => host.frames.length === 1);
    await sim.presence(true);
    await host.agent.write(syQuery(0x80, 0x81));
    await waitFor('the second answer', () => host.frames.length === 3);
    expect(host.frames.map((f) => f.cmd)).toEqual([0x81, 0x01, 0x81]);
    expect(host.readings()).toEqual([
      { kind: 'presence', present: false },
      { kind: 'presence', present: true },
      { kind: 'presence', present: true },
    ]);
  });

  it('fall, heart-rate and firmware queries are answered from the current state', async () => {
    await sim.heartRate(72);
    await waitFor('the heart-rate report', () => host.frames.length === 1);
    host.frames.length = 0;
    await host.agent.write(Buffer.concat([syQuery(0x83, 0x81), syQuery(0x85, 0x82), syQuery(0x02, 0xa4)]));
    await waitFor('three answers', () => host.frames.length === 3);
    expect(host.readings()).toEqual([
      { kind: 'fall', fallen: false },
      { kind: 'heartRate', bpm: 72 },
      { kind: 'firmware', version: 'G60FD1SYv010104' },
    ]);
  });

  it('the radar echoes the host heartbeat and reset frames byte for byte', async () => {
    const heartbeat = syQuery(0x01, 0x01);
    const reset = syQuery(0x01, 0x02);
    await host.agent.write(heartbeat);
    await host.agent.write(reset);
    await waitFor('two echoes', () => host.frames.length === 2);
    expect(Buffer.concat(host.agent.chunks)).toEqual(Buffer.concat([heartbeat, reset]));
    expect(host.readings()).toEqual([{ kind: 'heartbeat' }, { kind: 'resetAck' }]);
    expect(sim.received.length).toBeGreaterThanOrEqual(1);
  });

  it('noise before and between frames is dropped and the frames still decode', async () => {
    const noise = await sim.noise(300);
    await sim.fall(true);
    await sim.noise(50);
    await sim.presence(true);
    await waitFor('two frames', () => host.frames.length === 2);
    expect(noise.includes(0x53)).toBe(false);
    expect(host.readings()).toEqual([
      { kind: 'fall', fallen: true },
      { kind: 'presence', present: true },
    ]);
    expect(host.decoder.stats.garbageBytes).toBe(350);
  });

  it('automatic heartbeats arrive at the chosen interval and stop when asked', async () => {
    sim.startAutoHeartbeat(40);
    await waitFor('three heartbeats', () => host.frames.length >= 3);
    sim.stopAutoHeartbeat();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const count = host.frames.length;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(host.frames.length).toBe(count);
    expect(new Set(host.readings().map((r) => r?.kind))).toEqual(new Set(['heartbeat']));
  });

  it('a heartbeat due during a split fall waits until the whole fall frame is out', async () => {
    const split = sim.fallSplit(120);
    sim.startAutoHeartbeat(30);
    await split;
    await waitFor('fall and a heartbeat', () => host.frames.length >= 2);
    sim.stopAutoHeartbeat();
    expect(host.readings()[0]).toEqual({ kind: 'fall', fallen: true });
    expect(host.decoder.stats.abandoned).toBe(0);
  });

  it('a value the codec cannot encode is refused and leaves the state unchanged', async () => {
    await expect(sim.heartRate(300)).rejects.toThrow(RangeError);
    expect(sim.state.heartRate).toBe(0);
  });
});
