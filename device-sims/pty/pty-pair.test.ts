import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPtyPair } from './pty-pair.ts';
import { Cleanup, openAgent, pairFor, processAlive, waitFor } from './pty-test-support.ts';
import { SerialDevice } from './serial-device.ts';

describe('openPtyPair', () => {
  const cleanup = new Cleanup();
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pty-pair-test-'));
    cleanup.add(async () => rmSync(dir, { recursive: true, force: true }));
  });
  afterEach(() => cleanup.run());

  it('openPtyPair fails with a message naming socat when socat is not on PATH', async () => {
    const attempt = openPtyPair({ dir, searchPath: join(dir, 'empty-bin') });
    await expect(attempt).rejects.toThrow(/Debian package socat/);
    expect(existsSync(join(dir, 'agent'))).toBe(false);
  });

  it('openPtyPair fails naming socat when the socat binary path does not exist', async () => {
    await expect(openPtyPair({ dir, socatPath: join(dir, 'no', 'socat') })).rejects.toThrow(
      /socat could not be started \(ENOENT\).*apt-get install socat/,
    );
  });

  it('a socat that exits early is reported with its own error output', async () => {
    const attempt = openPtyPair({
      agentLink: join(dir, 'missing-folder', 'agent'),
      deviceLink: join(dir, 'd'),
    });
    await expect(attempt).rejects.toThrow(
      /socat exited .*before the pty links appeared:[\s\S]*missing-folder/,
    );
  });

  it('bytes flow both ways unchanged between the agent and device ends', async () => {
    const pair = await pairFor(cleanup, dir);
    const device = new SerialDevice({ path: pair.devicePath, baudRate: 115200 });
    await device.open();
    cleanup.add(() => device.close());
    const agent = await openAgent(pair.agentPath, 115200);
    cleanup.add(() => agent.close());

    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await device.write(everyByte);
    await agent.write(everyByte);
    await waitFor('256 bytes at the agent', () => Buffer.concat(agent.chunks).length >= 256);
    await waitFor('256 bytes at the device', () => device.receivedBytes().length >= 256);
    expect(Buffer.concat(agent.chunks)).toEqual(everyByte);
    expect(device.receivedBytes()).toEqual(everyByte);
  });

  it('closing a pair stops socat and removes both links, and the agent port can still be closed', async () => {
    const pair = await openPtyPair(dir);
    const agent = await openAgent(pair.agentPath, 115200);
    cleanup.add(() => agent.close());

    await pair.close();
    expect(processAlive(pair.pid)).toBe(false);
    expect(existsSync(pair.agentPath)).toBe(false);
    expect(existsSync(pair.devicePath)).toBe(false);
    // No 'close' assertion: serialport sees EIO (disconnect) or EOF (silent re-read loop) depending
    // on whether its read races the hang-up, so only an explicit close is guaranteed.
    await agent.close();
    expect(agent.port.isOpen).toBe(false);
    await pair.close();
  });

  it('the default temp folder is removed when the pair closes', async () => {
    const pair = await openPtyPair();
    expect(existsSync(pair.agentPath)).toBe(true);
    await pair.close();
    expect(existsSync(join(pair.agentPath, '..'))).toBe(false);
  });

  it('a device can be replugged: a new pair opens at the same agent link, replacing a stale link', async () => {
    const agentLink = join(dir, 'ttyRadar');
    symlinkSync('/nonexistent/pts', agentLink);
    const first = await openPtyPair({ agentLink });
    await first.close();
    const second = await pairFor(cleanup, { agentLink });
    expect(second.agentPath).toBe(agentLink);

    const device = new SerialDevice({ path: second.devicePath, baudRate: 19200 });
    await device.open();
    cleanup.add(() => device.close());
    const agent = await openAgent(agentLink, 19200);
    cleanup.add(() => agent.close());
    await device.write(Uint8Array.of(0xaa, 0xa0, 0x55));
    await waitFor('the replugged device bytes', () => Buffer.concat(agent.chunks).length === 3);
  });

  it('refuses to replace a regular file with a pty link', async () => {
    const agentLink = join(dir, 'agent');
    writeFileSync(agentLink, 'not a link');
    await expect(openPtyPair({ agentLink, deviceLink: join(dir, 'device') })).rejects.toThrow(
      /is not a symlink/,
    );
  });
});
