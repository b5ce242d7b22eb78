import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { demoGateway, eventually, TestSystem } from './support/system.ts';

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

const str = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};

/** An MQTT 3.1.1 CONNECT with username and password, written by hand: the test speaks raw bytes. */
function connectPacket(clientId: string, username: string, password: string): Buffer {
  const body = Buffer.concat([
    str('MQTT'),
    Buffer.from([4, 0xc2, 0, 60]),
    str(clientId),
    str(username),
    str(password),
  ]);
  return Buffer.concat([Buffer.from([0x10, ...varint(body.length)]), body]);
}

/** The fixed header of a PUBLISH claiming 10 MB, and the start of its topic: no more is ever sent. */
const HUGE_PUBLISH_HEAD = Buffer.concat([Buffer.from([0x30, ...varint(10_000_000)]), str('eldercare/v1/')]);
const CONNACK_OK = Buffer.from([0x20, 0x02, 0x00, 0x00]);

async function metric(sys: TestSystem, name: string): Promise<number> {
  const text = await (await fetch(`${sys.http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

function firstBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (got.length >= n) {
        socket.off('data', onData);
        resolve(got.subarray(0, n));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

describe('the broker cuts a connection that declares a packet above MQTT_MAX_PACKET_BYTES', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  it('an authenticated gateway declaring a 10 MB PUBLISH over TCP is disconnected at once, and other gateways’ SOS still raise alerts', async () => {
    const gw = demoGateway('gw-0005');
    const port = Number(new URL(sys.system.mqttUrl).port);
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    socket.on('error', () => {});
    socket.write(connectPacket('raw-gw-0005', gw.id, gw.secret));
    expect(await firstBytes(socket, 4)).toEqual(CONNACK_OK);
    const sentAt = Date.now();
    socket.write(HUGE_PUBLISH_HEAD);
    expect((await closed) - sentAt).toBeLessThan(1000);
    expect(await metric(sys, 'mqtt_connections_cut_total{reason="too_large"}')).toBe(1);

    const dispatcher = await sys.dispatcher('sup-city');
    const home = await sys.home('gw-0002');
    const id = await home.event('sos');
    await eventually(() => dispatcher.raised.find((a) => a.eventId === id), 3000, 'alert of gw-0002');
  });

  it('the same over MQTT on WebSocket: the connection closes before any body arrives', async () => {
    const gw = demoGateway('gw-0006');
    const ws = new WebSocket(sys.system.mqttWsUrl ?? '', 'mqtt');
    ws.on('error', () => {});
    const closed = new Promise<number>((resolve) => ws.once('close', () => resolve(Date.now())));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    // Aedes may write the CONNACK in more than one WebSocket message.
    const connack = new Promise<Buffer>((resolve) => {
      let got = Buffer.alloc(0);
      ws.on('message', (data: Buffer) => {
        got = Buffer.concat([got, data]);
        if (got.length >= 4) resolve(got);
      });
    });
    ws.send(connectPacket('raw-ws-gw-0006', gw.id, gw.secret));
    expect(await connack).toEqual(CONNACK_OK);
    const sentAt = Date.now();
    ws.send(HUGE_PUBLISH_HEAD);
    expect((await closed) - sentAt).toBeLessThan(1000);
    expect(await metric(sys, 'mqtt_connections_cut_total{reason="too_large"}')).toBe(2);
  });

  it('a remaining length of five bytes is malformed and closes the TCP connection before CONNECT completes', async () => {
    const port = Number(new URL(sys.system.mqttUrl).port);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await closed;
    expect(await metric(sys, 'mqtt_connections_cut_total{reason="malformed"}')).toBe(1);
  });
});
