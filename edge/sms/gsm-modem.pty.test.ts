/**
 * The modem and the simulator on the two ends of a real pseudo-terminal pair made by socat, both
 * opened with serialport, as the agent and a USB GSM stick would be in the field.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { startModemOnPty } from '../../device-sims/gsm-modem-sim.ts';
import { ensureDebianPackages } from '../../tests/support/debian.ts';
import { GsmModem } from './gsm-modem.ts';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function needSocat(): void {
  try {
    ensureDebianPackages('socat');
  } catch (error) {
    // Never a skip: a system test that silently did not run looks the same as one that passed.
    throw new Error(
      `this test needs the Debian package socat (apt-get install socat): ${(error as Error).message}`,
    );
  }
}

async function ptyPair(): Promise<{ agent: string; device: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gsm-pty-'));
  const agent = join(dir, 'A');
  const device = join(dir, 'B');
  const args = ['-d', '-d', `pty,raw,echo=0,link=${agent}`, `pty,raw,echo=0,link=${device}`];
  const socat: ChildProcess = spawn('socat', args, { stdio: 'ignore' });
  let spawnError: Error | undefined;
  socat.on('error', (error) => {
    spawnError = error;
  });
  cleanups.push(async () => {
    if (socat.exitCode === null && socat.signalCode === null && !spawnError) {
      const exited = new Promise((resolve) => socat.once('exit', resolve));
      socat.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  for (let waited = 0; !(existsSync(agent) && existsSync(device)); waited += 10) {
    if (spawnError) throw new Error(`cannot run socat (Debian package socat): ${spawnError.message}`);
    if (waited > 5000 || socat.exitCode !== null)
      throw new Error(`socat made no pty pair (exit ${socat.exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { agent, device };
}

describe('GsmModem over a real pty pair', () => {
  it('init and a Chinese SMS go through socat and serialport to the simulator', async () => {
    needSocat();
    const { agent, device } = await ptyPair();
    const sim = await startModemOnPty(device);
    cleanups.push(() => sim.close());
    const port = new SerialPort({ path: agent, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const modem = new GsmModem(port, { commandTimeoutMs: 2000, sendTimeoutMs: 5000 });
    cleanups.push(() => modem.close());

    await modem.init();
    const receipt = await modem.sendSms('+8613800001234', '紧急呼叫【跌倒】张秀英，2026-11-22 09:15');
    const plain = await modem.sendSms('13800001234', 'Fall: Zhang Xiuying, 09:15. Call now!');

    expect([receipt.reference, plain.reference]).toEqual([1, 2]);
    expect(sim.messages.map((m) => [m.number, m.text])).toEqual([
      ['+8613800001234', '紧急呼叫【跌倒】张秀英，2026-11-22 09:15'],
      ['13800001234', 'Fall: Zhang Xiuying, 09:15. Call now!'],
    ]);
  });
});
