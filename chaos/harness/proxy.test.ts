import { createServer, type Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChaosProxy } from './proxy.ts';

/** An echo server on a free port. */
async function echo(): Promise<{ server: Server; url: string }> {
  const server = createServer((s) => s.on('error', () => {}).pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  return { server, url: `mqtt://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

function dial(url: string): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = new Socket();
    s.once('error', reject);
    s.connect(Number(port), '127.0.0.1', () => resolve(s));
  });
}

/** Sends `text` and resolves with the echo and how long it took. */
function roundTrip(s: Socket, text: string): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.off('data', onData);
        resolve({ text: got, ms: Date.now() - started });
      }
    };
    s.on('data', onData);
    s.write(text);
  });
}

describe('the chaos proxy between gateways and a broker', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function rig() {
    const target = await echo();
    closers.push(() => new Promise<void>((r) => target.server.close(() => r())));
    const proxy = await ChaosProxy.start(target.url);
    closers.push(() => proxy.close());
    return proxy;
  }

  it('a clean link relays bytes both ways unchanged and in order', async () => {
    const proxy = await rig();
    const s = await dial(proxy.url);
    closers.push(() => void s.destroy());
    expect((await roundTrip(s, 'hello, broker')).text).toBe('hello, broker');
  });

  it('a delayed link holds each direction back by the delay, so a round trip takes twice as long', async () => {
    const proxy = await rig();
    proxy.degrade({ delayMs: 150 });
    const s = await dial(proxy.url);
    closers.push(() => void s.destroy());
    const { text, ms } = await roundTrip(s, 'ping');
    expect(text).toBe('ping');
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  it('a throttled link spaces bytes by their size', async () => {
    const proxy = await rig();
    proxy.degrade({ bytesPerS: 1000 });
    const s = await dial(proxy.url);
    closers.push(() => void s.destroy());
    expect((await roundTrip(s, 'x'.repeat(200))).ms).toBeGreaterThanOrEqual(380);
  });

  it('a cut resets open connections and refuses new ones until healed', async () => {
    const proxy = await rig();
    const s = await dial(proxy.url);
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    s.on('error', () => {});
    await roundTrip(s, 'before');
    proxy.cut();
    await closed;
    // Refused: reset during the handshake, or accepted by the kernel and reset at once.
    const refused = await dial(proxy.url).then(
      (late) =>
        new Promise<boolean>((r) => {
          late.on('error', () => {});
          late.once('close', () => r(true));
          late.write('anyone?');
        }),
      () => true,
    );
    expect(refused).toBe(true);
    expect(proxy.resets).toBeGreaterThanOrEqual(2);
    proxy.heal();
    const again = await dial(proxy.url);
    closers.push(() => void again.destroy());
    expect((await roundTrip(again, 'after')).text).toBe('after');
  });
});
