import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Change } from '../domain/alert-actions.ts';
import { DEFAULT_POLICY, type FamilyMember, type NotifyPolicy, planNotifications } from './policy.ts';
import {
  DEFAULT_PREFS,
  type NotificationMessage,
  type NotificationPrefs,
  type PlannedNotification,
} from './types.ts';

export interface DueNotification {
  id: string;
  alertId: string;
  recipient: string;
  channel: PlannedNotification['channel'];
  target: string;
  reason: PlannedNotification['reason'];
  attempts: number;
  message: NotificationMessage;
}

/**
 * The notification outbox. `plan` runs inside the transaction of the alert change that causes it, so a
 * notification exists exactly when its cause does; the worker delivers from here and records the result.
 */
export class NotificationOutbox {
  readonly #db: DatabaseSync;
  #policy: NotifyPolicy;
  readonly #secret: string;

  constructor(db: DatabaseSync, secret: string, policy: Partial<NotifyPolicy> = {}) {
    this.#db = db;
    this.#secret = secret;
    this.#policy = { ...DEFAULT_POLICY, ...policy };
  }

  /** Links in messages point here; known only once the HTTP server listens. */
  setPublicUrl(url: string): void {
    this.#policy = { ...this.#policy, publicUrl: url };
  }

  /** Plans what these alert changes mean for families; call inside the alert change's transaction. */
  plan(changes: readonly Change[], now: number): void {
    const insert = this.#db.prepare(
      `INSERT OR IGNORE INTO notifications (id, alert_id, recipient, channel, target, reason, message, status, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    for (const { alert } of changes) {
      if (alert.state === 'resolved') this.#cancelChain(alert.id);
      const planned = planNotifications(
        {
          alert,
          family: this.family(alert.elderId),
          told: this.#told(alert.id),
          accepted: this.accepted(alert.id),
          now,
          sign: (id) => this.sign(id),
        },
        this.#policy,
      );
      for (const p of planned) {
        insert.run(
          p.id,
          p.alertId,
          p.recipient,
          p.channel,
          p.target,
          p.reason,
          JSON.stringify(p.message),
          p.notBefore,
          new Date(now).toISOString(),
        );
      }
    }
  }

  /** The elder's family users in call-chain order, with their preferences and push subscriptions. */
  family(elderId: string): FamilyMember[] {
    const users = this.#db
      .prepare(
        "SELECT username FROM users WHERE role = 'family' AND ? IN (SELECT value FROM json_each(elder_ids)) ORDER BY username",
      )
      .all(elderId);
    return users.map((u) => {
      const username = String(u.username);
      return { username, prefs: this.prefs(username), pushEndpoints: this.pushEndpoints(username) };
    });
  }

  prefs(username: string): NotificationPrefs {
    const row = this.#db.prepare('SELECT prefs FROM notification_prefs WHERE username = ?').get(username);
    return row
      ? { ...DEFAULT_PREFS, ...(JSON.parse(String(row.prefs)) as Partial<NotificationPrefs>) }
      : DEFAULT_PREFS;
  }

  setPrefs(username: string, prefs: NotificationPrefs): void {
    this.#db
      .prepare(
        `INSERT INTO notification_prefs (username, prefs, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (username) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`,
      )
      .run(username, JSON.stringify(prefs), new Date().toISOString());
  }

  pushEndpoints(username: string): string[] {
    return this.#db
      .prepare('SELECT endpoint FROM push_subscriptions WHERE username = ? ORDER BY created_at')
      .all(username)
      .map((r) => String(r.endpoint));
  }

  pushKeys(endpoint: string): { p256dh: string; auth: string } | null {
    const row = this.#db.prepare('SELECT keys FROM push_subscriptions WHERE endpoint = ?').get(endpoint);
    return row ? (JSON.parse(String(row.keys)) as { p256dh: string; auth: string }) : null;
  }

  subscribe(username: string, endpoint: string, keys: { p256dh: string; auth: string }): void {
    this.#db
      .prepare(
        `INSERT INTO push_subscriptions (endpoint, username, keys, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (endpoint) DO UPDATE SET username = excluded.username, keys = excluded.keys`,
      )
      .run(endpoint, username, JSON.stringify(keys), new Date().toISOString());
  }

  unsubscribe(endpoint: string): void {
    this.#db.prepare('DELETE FROM push_subscriptions WHERE endpoint = ?').run(endpoint);
  }

  /** A family member accepted: the rest of the chain is not sent. */
  accepted(alertId: string): boolean {
    return (
      this.#db
        .prepare("SELECT 1 AS x FROM alert_timeline WHERE alert_id = ? AND action = 'family_accepted'")
        .get(alertId) !== undefined
    );
  }

  cancelChain(alertId: string): void {
    this.#cancelChain(alertId);
  }

  due(now: number, limit = 50): DueNotification[] {
    return this.#db
      .prepare(
        "SELECT * FROM notifications WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
      )
      .all(now, limit)
      .map((r) => ({
        id: String(r.id),
        alertId: String(r.alert_id),
        recipient: String(r.recipient),
        channel: r.channel as DueNotification['channel'],
        target: String(r.target),
        reason: r.reason as DueNotification['reason'],
        attempts: Number(r.attempts),
        message: JSON.parse(String(r.message)) as NotificationMessage,
      }));
  }

  delivered(id: string, at: string): void {
    this.#db
      .prepare(
        "UPDATE notifications SET status = 'delivered', delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
      )
      .run(at, id);
  }

  retry(id: string, error: string, nextAttemptAt: number, give_up: boolean): void {
    this.#db
      // Only a pending row: a chain cancelled while this send was failing stays cancelled.
      .prepare(
        "UPDATE notifications SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, status = ? WHERE id = ? AND status = 'pending'",
      )
      .run(error.slice(0, 500), nextAttemptAt, give_up ? 'failed' : 'pending', id);
  }

  cancel(id: string): void {
    this.#db
      .prepare("UPDATE notifications SET status = 'cancelled' WHERE id = ? AND status = 'pending'")
      .run(id);
  }

  /** Delivery records of an alert, for the operator's timeline. */
  ofAlert(alertId: string): {
    id: string;
    recipient: string;
    channel: string;
    reason: string;
    status: string;
    attempts: number;
    deliveredAt: string | null;
  }[] {
    return this.#db
      .prepare(
        'SELECT id, recipient, channel, reason, status, attempts, delivered_at FROM notifications WHERE alert_id = ? ORDER BY created_at, id',
      )
      .all(alertId)
      .map((r) => ({
        id: String(r.id),
        recipient: String(r.recipient),
        channel: String(r.channel),
        reason: String(r.reason),
        status: String(r.status),
        attempts: Number(r.attempts),
        deliveredAt: r.delivered_at === null ? null : String(r.delivered_at),
      }));
  }

  sign(notificationId: string): string {
    return createHmac('sha256', this.#secret).update(notificationId).digest('base64url');
  }

  verify(notificationId: string, token: string): boolean {
    const expected = Buffer.from(this.sign(notificationId));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  recipientOf(notificationId: string): { alertId: string; recipient: string } | null {
    const row = this.#db
      .prepare('SELECT alert_id, recipient FROM notifications WHERE id = ?')
      .get(notificationId);
    return row ? { alertId: String(row.alert_id), recipient: String(row.recipient) } : null;
  }

  #told(alertId: string): Set<string> {
    const rows = this.#db
      .prepare(
        "SELECT DISTINCT recipient FROM notifications WHERE alert_id = ? AND reason = 'alert' AND status = 'delivered'",
      )
      .all(alertId);
    return new Set(rows.map((r) => String(r.recipient)));
  }

  #cancelChain(alertId: string): void {
    this.#db
      .prepare(
        "UPDATE notifications SET status = 'cancelled' WHERE alert_id = ? AND reason = 'alert' AND status = 'pending'",
      )
      .run(alertId);
  }
}
