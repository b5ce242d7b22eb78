import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openBlueZ } from './ble-bluez.ts';

describe('BLE over BlueZ', () => {
  it('without a system D-Bus it answers null after one clear log line, and never loads node-ble', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const source = await openBlueZ(pino({ level: 'info' }, sink), '/nonexistent/system_bus_socket');
    expect(source).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/BLE unavailable: no system D-Bus/);
  });
});
