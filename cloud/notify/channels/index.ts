import type { Channel, ChannelSender } from '../types.ts';
import { EmailChannel } from './email.ts';
import { loadOrCreateVapidKeys } from './vapid.ts';
import { type PushKeys, WebPushChannel } from './web-push.ts';
import { WebhookChannel } from './webhook.ts';

export { vapidPublicKey } from './vapid.ts';
export { verifyWebhookSignature } from './webhook.ts';

/** The part of the notification outbox the push channel needs. */
export interface PushSubscriptions {
  pushKeys(endpoint: string): Promise<PushKeys | null>;
  unsubscribe(endpoint: string): void;
}

export interface ChannelSettings {
  /** Where `vapid.json` lives (DATA_DIR). */
  dataDir: string;
  smtpUrl?: string | undefined;
  mailFrom?: string | undefined;
  /** No secret, no webhook channel: an unsigned call could be forged by anyone. */
  webhookSecret?: string | undefined;
  vapidSubject?: string | undefined;
  /**
   * The subscriptions, or a function giving them: the cloud makes its outbox only when it is built, and it
   * needs the channels to be built.
   */
  outbox: PushSubscriptions | (() => PushSubscriptions);
}

/**
 * The configured channels. Web Push is always there (its keys are local); e-mail needs an SMTP server and
 * the webhook a secret. Notifications for a channel that is missing wait in the outbox and are retried.
 */
export function createChannels(settings: ChannelSettings): Partial<Record<Channel, ChannelSender>> {
  const outbox = (): PushSubscriptions =>
    typeof settings.outbox === 'function' ? settings.outbox() : settings.outbox;
  const channels: Partial<Record<Channel, ChannelSender>> = {
    push: new WebPushChannel({
      vapid: loadOrCreateVapidKeys(settings.dataDir, settings.vapidSubject ?? 'mailto:admin@localhost'),
      keysFor: (endpoint) => outbox().pushKeys(endpoint),
      onGone: (endpoint) => outbox().unsubscribe(endpoint),
    }),
  };
  if (settings.smtpUrl)
    channels.email = new EmailChannel({
      smtpUrl: settings.smtpUrl,
      from: settings.mailFrom ?? 'eldercare@localhost',
    });
  if (settings.webhookSecret) channels.webhook = new WebhookChannel({ secret: settings.webhookSecret });
  return channels;
}
