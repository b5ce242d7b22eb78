import { afterEach, describe, expect, it } from 'vitest';
import {
  interpretTinyFrame,
  SEEED_RADAR_BAUD,
  TF_TYPE,
  type TinyFrame,
  TinyFrameDecoder,
  tinyCommands,
} from '../../edge/codecs/index.ts';
import { type AgentEnd, Cleanup, openAgent, pairFor, waitFor, wireHex } from './pty-test-support.ts';
import { TinyFrameRadarSim, type TinyFrameRadarSimOptions } from './tinyframe-radar-sim.ts';

interface Rig {
  sim: TinyFrameRadarSim;
  agent: AgentEnd;
  decoder: TinyFrameDecoder;
  frames: TinyFrame[];
}

describe('the MR60FDA2 / MR60BHA2 simulator on a pty', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function rig(options: Omit<TinyFrameRadarSimOptions, 'path'> = {}): Promise<Rig> {
    const pair = await pairFor(cleanup);
    const sim = new TinyFrameRadarSim({ ...options, path: pair.devicePath });
    await sim.open();
    cleanup.add(() => sim.close());
    const agent = await openAgent(pair.agentPath, SEEED_RADAR_BAUD);
    cleanup.add(() => agent.close());
    const decoder = new TinyFrameDecoder();
    const frames: TinyFrame[] = [];
    agent.port.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk)));
    return { sim, agent, decoder, frames };
  }

  it('presence, fall and float vitals arrive as the readings the TinyFrame decoder reports', async () => {
    const { sim, frames } = await rig();
    await sim.presence(true);
    await sim.fall(true);
    await sim.heartRate(72);
    await sim.breathRate(16.5);
    await sim.fall(false);
    await waitFor('five frames', () => frames.length === 5);
    expect(frames.map(interpretTinyFrame)).toEqual([
      { kind: 'presence', present: true },
      { kind: 'fall', fallen: true },
      { kind: 'heartRate', bpm: 72 },
      { kind: 'breathRate', perMinute: 16.5 },
      { kind: 'fall', fallen: false },
    ]);
  });

  it('the heart-rate bytes on the wire are the worked frame of the protocol notes', async () => {
    const { sim, agent } = await rig();
    await sim.heartRate(72);
    await waitFor('13 bytes', () => Buffer.concat(agent.chunks).length === 13);
    expect(wireHex(agent.chunks)).toBe('01 00 00 00 04 0A 15 E5 00 00 90 42 2D');
  });

  it('unknown debug frames reach the host and are skipped by the decoder', async () => {
    const { sim, frames, decoder } = await rig({ model: 'mr60bha2' });
    await sim.debugText('invalid BR = 7082');
    await sim.heartRate(61);
    await waitFor('two frames', () => frames.length === 2);
    expect(frames[0]?.type).toBe(TF_TYPE.debugLog);
    expect(Buffer.from(frames[0]?.data ?? []).toString('latin1')).toBe('invalid BR = 7082');
    expect(frames.map(interpretTinyFrame)).toEqual([null, { kind: 'heartRate', bpm: 61 }]);
    expect(decoder.stats).toMatchObject({ unknownTypes: 1, garbageBytes: 0, badChecksum: 0 });
  });

  it('every host command is acknowledged with the same type and id and no data', async () => {
    const { sim, agent, frames } = await rig();
    await agent.write(tinyCommands.setInstallHeight(2.4, 0x0123));
    await agent.write(tinyCommands.getParameters(7));
    await agent.write(tinyCommands.resetSettings());
    await waitFor('three ACKs', () => frames.length === 3);
    expect(frames.map((f) => [f.type, f.id, f.data.length])).toEqual([
      [TF_TYPE.setInstallHeight, 0x0123, 0],
      [TF_TYPE.getParameters, 7, 0],
      [TF_TYPE.resetSettings, 0, 0],
    ]);
    expect(frames.map(interpretTinyFrame).every((r) => r?.kind === 'commandAck' && r.ok)).toBe(true);
    expect(sim.commands).toEqual([TF_TYPE.setInstallHeight, TF_TYPE.getParameters, TF_TYPE.resetSettings]);
    // Stock TinyFrame form: an empty frame is 8 bytes with no data checksum.
    expect(Buffer.concat(agent.chunks)).toHaveLength(24);
  });

  it('ACKs in the Seeed form carry the 0xFF empty checksum and still decode as ACKs', async () => {
    const { agent, frames, decoder } = await rig({ emptyChecksum: true });
    await agent.write(tinyCommands.getParameters());
    await agent.write(tinyCommands.resetSettings());
    await waitFor('two ACKs', () => frames.length === 2);
    await waitFor('18 bytes', () => Buffer.concat(agent.chunks).length === 18);
    expect(wireHex(agent.chunks)).toBe('01 00 00 00 00 0E 06 F6 FF 01 00 00 00 00 21 10 CF FF');
    expect(decoder.stats.garbageBytes).toBe(0);
  });
});
