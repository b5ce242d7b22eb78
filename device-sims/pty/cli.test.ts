import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  interpretSy,
  interpretTinyFrame,
  RF_BRIDGE_BAUD,
  RfBridgeDecoder,
  SEEED_RADAR_BAUD,
  SyDecoder,
  type SyReading,
  type TinyFrame,
  TinyFrameDecoder,
} from '../../edge/codecs/index.ts';
import { PTY_HELP, runPtyCommand } from './cli.ts';
import { Cleanup, openAgent, processAlive, waitFor } from './pty-test-support.ts';

describe('sim pty', () => {
  const cleanup = new Cleanup();
  let dir: string;
  let link: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-pty-test-'));
    link = join(dir, 'ttyRadar');
    cleanup.add(async () => rmSync(dir, { recursive: true, force: true }));
  });
  afterEach(() => cleanup.run());

  /** Starts the command in-process; it runs until the returned controller aborts. */
  function start(args: string[]): { lines: string[]; done: Promise<void> } {
    const lines: string[] = [];
    const stop = new AbortController();
    const done = runPtyCommand(args, { signal: stop.signal, log: (line) => lines.push(line) });
    cleanup.add(async () => {
      stop.abort();
      await done.catch(() => {});
    });
    return { lines, done };
  }

  it('--help prints the kinds and the script syntax and starts nothing', async () => {
    const lines: string[] = [];
    await runPtyCommand(['pty', '--help'], { log: (line) => lines.push(line) });
    expect(lines).toEqual([PTY_HELP]);
    expect(PTY_HELP).toContain('mr60fda1 | mr60bha1 | mr60fda2 | mr60bha2 | rf433-bridge');
    expect(PTY_HELP).toContain('action[:arg]@seconds');
  });

  it('an MR60FDA1 plays its script to the agent end at --link, with heartbeats', async () => {
    const run = start([
      'pty',
      '--kind',
      'mr60fda1',
      '--link',
      link,
      '--heartbeat-every',
      '0.2',
      '--script',
      'hr:72@0.5,fall@0.55,clear@0.7',
    ]);
    await waitFor('the agent path', () => run.lines[0] === link);
    const agent = await openAgent(link, SEEED_RADAR_BAUD);
    cleanup.add(() => agent.close());
    const decoder = new SyDecoder();
    const seen: (SyReading | null)[] = [];
    await waitFor('the script and a heartbeat', () => {
      seen.push(...decoder.push(Buffer.concat(agent.chunks.splice(0))).map(interpretSy));
      const cleared = seen.some((r) => r?.kind === 'fall' && !r.fallen);
      return cleared && seen.some((r) => r?.kind === 'heartbeat');
    });
    const reports = seen.filter((r) => r?.kind !== 'heartbeat');
    expect(reports.slice(0, 3)).toEqual([
      { kind: 'heartRate', bpm: 72 },
      { kind: 'fall', fallen: true },
      { kind: 'fall', fallen: false },
    ]);
    expect(run.lines).toContain('sent fall@0.55');
  });

  it('an MR60BHA2 kit sends TinyFrame readings from its script', async () => {
    const run = start([
      '--kind',
      'mr60bha2',
      '--link',
      link,
      '--script',
      'presence@0.5,hr:61.5@0.5,debug:invalid BR = 7082@0.5',
    ]);
    await waitFor('the agent path', () => run.lines[0] === link);
    const agent = await openAgent(link, SEEED_RADAR_BAUD);
    cleanup.add(() => agent.close());
    const decoder = new TinyFrameDecoder();
    const frames: TinyFrame[] = [];
    await waitFor('three frames', () => {
      frames.push(...decoder.push(Buffer.concat(agent.chunks.splice(0))));
      return frames.length === 3;
    });
    expect(frames.map(interpretTinyFrame)).toEqual([
      { kind: 'presence', present: true },
      { kind: 'heartRate', bpm: 61.5 },
      null,
    ]);
  });

  it('an RF bridge presses a pendant code three times', async () => {
    const run = start(['--kind', 'rf433-bridge', '--link', link, '--script', 'press:511451@0.5']);
    await waitFor('the agent path', () => run.lines[0] === link);
    const agent = await openAgent(link, RF_BRIDGE_BAUD);
    cleanup.add(() => agent.close());
    const decoder = new RfBridgeDecoder();
    const frames: unknown[] = [];
    await waitFor('three frames', () => {
      frames.push(...decoder.push(Buffer.concat(agent.chunks.splice(0))));
      return frames.length === 3;
    });
    expect(new Set(frames.map((f) => JSON.stringify(f))).size).toBe(1);
  });

  it('stopping the command closes the device, stops socat and removes the link', async () => {
    const run = start(['--kind', 'mr60fda2', '--link', link]);
    await waitFor('the agent path', () => run.lines[0] === link);
    await cleanup.run();
    await run.done;
    expect(existsSync(link)).toBe(false);
  });

  it('an unknown script action fails before anything is sent, naming the actions the kind knows', async () => {
    await expect(
      runPtyCommand(['--kind', 'rf433-bridge', '--link', link, '--script', 'fall@1']),
    ).rejects.toThrow(/unknown script action "fall"; this kind knows: press, noise/);
    expect(existsSync(link)).toBe(false);
  });

  it.each([
    [['--link', 'x'], /--kind must be one of/],
    [['--kind', 'ld2410'], /--kind must be one of .*got ld2410/],
    [['--kind', 'mr60fda1', '--script', 'hr:fast@1'], /hr needs a whole number/],
    [['--kind', 'mr60fda1', '--script', 'motion:3@1'], /motion needs a whole number 0..2/],
    [['--kind', 'rf433-bridge', '--script', 'press:xyz@1'], /six-hex-digit code/],
    [['--kind', 'mr60fda1', '--heartbeat-every', '0'], /--heartbeat-every/],
  ])('bad arguments %j are refused with a message naming the problem', async (args, message) => {
    await expect(runPtyCommand(args, { log: () => {} })).rejects.toThrow(message);
  });

  it('a real sim process exits cleanly on SIGTERM and leaves no socat behind', async () => {
    const cli = join(import.meta.dirname, 'cli.ts');
    const code = `const { runPtyCommand } = await import(${JSON.stringify(cli)}); await runPtyCommand(process.argv.slice(1));`;
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', code, '--', '--kind', 'mr60fda1', '--link', link],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    cleanup.add(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    await waitFor('the printed agent path', () => output.startsWith(`${link}\n`), 10_000);
    const socatPid = await waitFor('socat as a child of the sim', () => socatChildOf(child.pid ?? -1));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/Error/);
    expect(existsSync(link)).toBe(false);
    expect(processAlive(socatPid)).toBe(false);
  });
});

/** The pid of a socat whose parent is `parentPid`, read from /proc. */
function socatChildOf(parentPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, comm, , ppid] = stat.match(/^\d+ \((.*)\) (\S) (\d+)/) ?? [];
      if (comm === 'socat' && Number(ppid) === parentPid) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}
