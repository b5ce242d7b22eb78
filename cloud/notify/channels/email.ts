import { createTransport, type Transporter } from 'nodemailer';
import type { ChannelSender, NotificationMessage, SendResult } from '../types.ts';
import { headline, localTime, outcomeLabel, severityLabel, typeLabel } from './render.ts';

export interface EmailOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`. */
  smtpUrl: string;
  from: string;
  /** Connect, greeting and idle timeouts; nodemailer's defaults (up to 10 min) would stall a retry. */
  timeoutMs?: number;
}

/**
 * RFC 5322 msg-id from a notification id: characters outside `[A-Za-z0-9_-]` become `=XX`, so distinct ids
 * stay distinct and a resend after a crash carries the same Message-ID (receivers and archives dedupe).
 */
export function messageIdOf(notificationId: string): string {
  const local = notificationId.replace(
    /[^A-Za-z0-9_-]/g,
    (c) => `=${Buffer.from(c).toString('hex').toUpperCase()}`,
  );
  return `<${local}@eldercare>`;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Label/value rows, both languages, in the order someone rushing to help needs them. */
function facts(m: NotificationMessage): [string, string][] {
  const type = typeLabel(m.type);
  const severity = severityLabel(m.severity);
  const t = localTime(m.occurredAt);
  const rows: [string, string][] = [
    ['老人 Elder', m.elderName],
    ['类型 Type', `${type.zh} ${type.en}`],
    ['级别 Severity', `${severity.zh} ${severity.en}`],
    ['地址 Address', m.address || '—'],
    ['时间 Time', `${t.date} ${t.time} (${t.zone})`.trim()],
  ];
  if (m.outcome) {
    const outcome = outcomeLabel(m.outcome);
    rows.push(['结果 Outcome', `${outcome.zh} ${outcome.en}`]);
  }
  return rows;
}

/** The family page without the alert's fragment: where the recipient changes how they are told. */
const settingsLink = (m: NotificationMessage): string => m.link.split('#')[0] ?? m.link;

export function emailContent(m: NotificationMessage): { subject: string; text: string; html: string } {
  const severity = severityLabel(m.severity);
  const title = headline(m);
  const rows = facts(m);
  const text = [
    title,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    `查看并回应 Open and respond: ${m.link}`,
    '',
    `通知设置 Notification settings: ${settingsLink(m)}`,
  ].join('\n');
  const html = [
    `<h2>${escapeHtml(title)}</h2>`,
    '<table>',
    ...rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<p><a href="${escapeHtml(m.link)}">查看并回应 Open and respond</a></p>`,
    `<p><small><a href="${escapeHtml(settingsLink(m))}">通知设置 Notification settings</a></small></p>`,
  ].join('\n');
  return { subject: `[${severity.zh} ${severity.en}] ${title}`, text, html };
}

/** E-mail over SMTP; a refused connection, login or recipient throws, and the worker retries. */
export class EmailChannel implements ChannelSender {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: EmailOptions) {
    const timeout = options.timeoutMs ?? 15_000;
    this.#transport = createTransport({
      url: options.smtpUrl,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
    });
    this.#from = options.from;
  }

  async send(to: string, message: NotificationMessage): Promise<SendResult> {
    await this.#transport.sendMail({
      from: this.#from,
      to,
      messageId: messageIdOf(message.notificationId),
      headers: { 'X-Eldercare-Alert-Id': message.alertId },
      ...emailContent(message),
    });
    return 'delivered';
  }

  close(): void {
    this.#transport.close();
  }
}
