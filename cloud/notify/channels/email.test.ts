import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailChannel, messageIdOf } from './email.ts';
import { sosMessage } from './test-fixtures.ts';

interface Received {
  from: string | undefined;
  to: string[];
  user: unknown;
  raw: string;
}

/** Quoted-printable and base64 bodies, and `=?UTF-8?Q|B?…?=` words in headers, back to text. */
function decodeQp(s: string): string {
  const bytes: number[] = [];
  const flat = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < flat.length; i++) {
    const hex = flat[i] === '=' ? flat.slice(i + 1, i + 3) : '';
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(flat[i] ?? ''));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQp(text.replace(/_/g, ' ')),
    );
}

/** Headers (unfolded, decoded) and the decoded text of every part of a simple MIME message. */
function parseMail(raw: string): { headers: Map<string, string>; parts: Map<string, string> } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const at = line.indexOf(':');
    headers.set(line.slice(0, at).toLowerCase(), decodeWords(line.slice(at + 1).trim()));
  }
  const boundary = /boundary="([^"]+)"/.exec(headers.get('content-type') ?? '')?.[1] ?? '';
  const parts = new Map<string, string>();
  for (const part of rest.join('\n\n').split(`--${boundary}`)) {
    const [partHead = '', ...body] = part.trim().split(/\r?\n\r?\n/);
    const type = /content-type:\s*([^;\s]+)/i.exec(partHead)?.[1];
    if (!type) continue;
    const text = body.join('\n\n');
    parts.set(type, /base64/i.test(partHead) ? Buffer.from(text, 'base64').toString('utf8') : decodeQp(text));
  }
  return { headers, parts };
}

describe('e-mail channel over a real SMTP receiver', () => {
  const received: Received[] = [];
  let port = 0;
  let server: SMTPServer;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'alerts@care' && auth.password === 'p@ss') callback(null, { user: 'alerts' });
        else callback(new Error('bad login'));
      },
      onRcptTo(address, _session, callback) {
        if (address.address.endsWith('@nowhere.example')) callback(new Error('no such mailbox'));
        else callback();
      },
      onData(stream, session: SMTPServerSession, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const from = session.envelope.mailFrom;
          received.push({
            from: from ? from.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('the family member receives the elder, type, severity, address, local time and a link, in Chinese and English', async () => {
    const channel = new EmailChannel({
      smtpUrl: `smtp://alerts%40care:p%40ss@127.0.0.1:${port}`,
      from: '颐养通知 <alerts@care.example.org>',
    });
    const message = sosMessage();
    await channel.send('wei@example.org', message);
    channel.close();

    const mail = received.at(-1);
    expect(mail).toMatchObject({ from: 'alerts@care.example.org', to: ['wei@example.org'], user: 'alerts' });
    const { headers, parts } = parseMail(mail?.raw ?? '');
    expect(headers.get('subject')).toBe('[紧急 critical] 紧急呼叫 SOS · 黄德明');
    const text = parts.get('text/plain') ?? '';
    expect(text).toContain('黄德明');
    expect(text).toContain('紧急呼叫 SOS');
    expect(text).toContain('资阳市雁江区狮子山街道滨江路 12 号 3 单元 502');
    expect(text).toContain('2026-11-22 10:15 (+08:00)');
    expect(text).toContain(message.link);
    expect(text).not.toContain(message.acceptToken);
    const html = parts.get('text/html') ?? '';
    expect(html).toContain(`<a href="${message.link}">`);
    expect(html).toContain('资阳市雁江区');
  });

  it('the Message-ID is the notification id, so a resend after a crash is the same mail', async () => {
    const channel = new EmailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'eldercare@localhost' });
    const message = sosMessage({ alertId: 'al-resend' });
    await channel.send('wei@example.org', message);
    await channel.send('wei@example.org', message);
    channel.close();

    const ids = received.slice(-2).map((m) => parseMail(m.raw).headers.get('message-id'));
    expect(ids).toEqual([messageIdOf(message.notificationId), messageIdOf(message.notificationId)]);
    expect(ids[0]).toBe('<al-resend=3Aalert=3Afamily-el-0001=3Aemail=3A1x2y3z@eldercare>');
  });

  it('distinct notification ids never share a Message-ID, and every Message-ID is a valid msg-id', () => {
    const ids = ['a:b.c', 'a.b:c', 'a=3Ab', 'a:b', 'x y<z>@w'];
    const made = ids.map(messageIdOf);
    expect(new Set(made).size).toBe(ids.length);
    for (const id of made) expect(id).toMatch(/^<[A-Za-z0-9_=-]+@eldercare>$/);
  });

  it('a refused recipient makes the send throw, so the worker retries', async () => {
    const channel = new EmailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'eldercare@localhost' });
    await expect(channel.send('wei@nowhere.example', sosMessage())).rejects.toThrow(/no such mailbox/);
    channel.close();
  });

  it('a wrong SMTP password makes the send throw', async () => {
    const channel = new EmailChannel({
      smtpUrl: `smtp://alerts%40care:wrong@127.0.0.1:${port}`,
      from: 'eldercare@localhost',
    });
    await expect(channel.send('wei@example.org', sosMessage())).rejects.toThrow();
    channel.close();
  });
});
