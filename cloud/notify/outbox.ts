import { createHmac, timingSafeEqual } from 'node:crypto';
import { jsonArrayHas, type SqlSession } from '../db/sql.ts';
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
 * The notification outbox. `plan` runs inside the transaction of the alert change that causes it (on
 * the view `in(tx)`), so a notification exists exactly when its cause does; the worker delivers from
 * here and records the result.
 */
export class NotificationOutbox {
  readonly #db: SqlSession;
  /** Shared with the views `in(tx)`: a public URL set later reaches them too. */
  #shared: { policy: NotifyPolicy; secret: string };

  constructor(db: SqlSession, secret: string, policy: Partial<NotifyPolicy> = {}) {
    this.#db = db;
    this.#shared = { secret, policy: { ...DEFAULT_POLICY, ...policy } };
  }

  /** The same outbox, its statements inside transaction `tx` (policy and public URL shared). */
  in(tx: SqlSession): NotificationOutbox {
    const view = new NotificationOutbox(tx, this.#shared.secret);
    view.#shared = this.#shared;
    return view;
  }

  /** Links in messages point here; known only once the HTTP server listens. */
  setPublicUrl(url: string): void {
    this.#shared.policy = { ...this.#shared.policy, publicUrl: url };
  }

  /** Plans what these alert changes mean for families; call on `in(tx)` of the alert change's transaction. */
  async plan(changes: readonly Change[], now: number): Promise<void> {
    for (const { alert } of changes) {
      if (alert.state === 'resolved') await this.#cancelChain(alert.id);
      const planned = planNotifications(
        {
          alert,
          family: await this.family(alert.elderId),
          told: await this.#told(alert.id),
          accepted: await this.accepted(alert.id),
          now,
          sign: (id) => this.sign(id),
        },
        this.#shared.policy,
      );
      for (const p of planned) {
        await this.#db.run(
          `INSERT INTO notifications (id, alert_id, recipient, channel, target, reason, message, status, next_attempt_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) ON CONFLICT (id) DO NOTHING`,
          [
            p.id,
            p.alertId,
            p.recipient,
            p.channel,
            p.target,
            p.reason,
            JSON.stringify(p.message),
            p.notBefore,
            new Date(now).toISOString(),
          ],
        );
      }
    }
  }

  /** The elder's family users in call-chain order, with their preferences and push subscriptions. */
  async family(elderId: string): Promise<FamilyMember[]> {
    const users = await this.#db.all(
      `SELECT username FROM users WHERE role = 'family' AND ${jsonArrayHas(this.#db.dialect, 'elder_ids', 'CAST($1 AS TEXT)')}
       ORDER BY username`,
      [elderId],
    );
    const members: FamilyMember[] = [];
    for (const u of users) {
      const username = String(u.username);
      members.push({
        username,
        prefs: await this.prefs(username),
        pushEndpoints: await this.pushEndpoints(username),
      });
    }
    return members;
  }

  async prefs(username: string): Promise<NotificationPrefs> {
    const row = await this.#db.get('SELECT prefs FROM notification_prefs WHERE username = $1', [username]);
    return row
      ? { ...DEFAULT_PREFS, ...(JSON.parse(String(row.prefs)) as Partial<NotificationPrefs>) }
      : DEFAULT_PREFS;
  }

  async setPrefs(username: string, prefs: NotificationPrefs): Promise<void> {
    await this.#db.run(
      `INSERT INTO notification_prefs (username, prefs, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (username) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`,
      [username, JSON.stringify(prefs), new Date().toISOString()],
    );
  }

  async pushEndpoints(username: string): Promise<string[]> {
    const rows = await this.#db.all(
      'SELECT endpoint FROM push_subscriptions WHERE username = $1 ORDER BY created_at',
      [username],
    );
    return rows.map((r) => String(r.endpoint));
  }

  async pushKeys(endpoint: string): Promise<{ p256dh: string; auth: string } | null> {
    const row = await this.#db.get('SELECT keys FROM push_subscriptions WHERE endpoint = $1', [endpoint]);
    return row ? (JSON.parse(String(row.keys)) as { p256dh: string; auth: string }) : null;
  }

  async subscribe(username: string, endpoint: string, keys: { p256dh: string; auth: string }): Promise<void> {
    await this.#db.run(
      `INSERT INTO push_subscriptions (endpoint, username, keys, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (endpoint) DO UPDATE SET username = excluded.username, keys = excluded.keys`,
      [endpoint, username, JSON.stringify(keys), new Date().toISOString()],
    );
  }

  async unsubscribe(endpoint: string): Promise<void> {
    await this.#db.run('DELETE FROM push_subscriptions WHERE endpoint = $1', [endpoint]);
  }

  /** A family member accepted: the rest of the chain is not sent. */
  async accepted(alertId: string): Promise<boolean> {
    const row = await this.#db.get(
      "SELECT 1 AS x FROM alert_timeline WHERE alert_id = $1 AND action = 'family_accepted'",
      [alertId],
    );
    return row !== undefined;
  }

  cancelChain(alertId: string): Promise<void> {
    return this.#cancelChain(alertId);
  }

  async due(now: number, limit = 50): Promise<DueNotification[]> {
    const rows = await this.#db.all(
      "SELECT * FROM notifications WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2",
      [now, limit],
    );
    return rows.map((r) => ({
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

  async delivered(id: string, at: string): Promise<void> {
    await this.#db.run(
      "UPDATE notifications SET status = 'delivered', delivered_at = $1, attempts = attempts + 1 WHERE id = $2",
      [at, id],
    );
  }

  async retry(id: string, error: string, nextAttemptAt: number, give_up: boolean): Promise<void> {
    // Only a pending row: a chain cancelled while this send was failing stays cancelled.
    await this.#db.run(
      "UPDATE notifications SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, status = $3 WHERE id = $4 AND status = 'pending'",
      [error.slice(0, 500), nextAttemptAt, give_up ? 'failed' : 'pending', id],
    );
  }

  async cancel(id: string): Promise<void> {
    await this.#db.run("UPDATE notifications SET status = 'cancelled' WHERE id = $1 AND status = 'pending'", [
      id,
    ]);
  }

  /** Delivery records of an alert, for the operator's timeline. */
  async ofAlert(alertId: string): Promise<
    {
      id: string;
      recipient: string;
      channel: string;
      reason: string;
      status: string;
      attempts: number;
      deliveredAt: string | null;
    }[]
  > {
    const rows = await this.#db.all(
      'SELECT id, recipient, channel, reason, status, attempts, delivered_at FROM notifications WHERE alert_id = $1 ORDER BY created_at, id',
      [alertId],
    );
    return rows.map((r) => ({
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
    return createHmac('sha256', this.#shared.secret).update(notificationId).digest('base64url');
  }

  verify(notificationId: string, token: string): boolean {
    const expected = Buffer.from(this.sign(notificationId));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  async recipientOf(notificationId: string): Promise<{ alertId: string; recipient: string } | null> {
    const row = await this.#db.get('SELECT alert_id, recipient FROM notifications WHERE id = $1', [
      notificationId,
    ]);
    return row ? { alertId: String(row.alert_id), recipient: String(row.recipient) } : null;
  }

  async #told(alertId: string): Promise<Set<string>> {
    const rows = await this.#db.all(
      "SELECT DISTINCT recipient FROM notifications WHERE alert_id = $1 AND reason = 'alert' AND status = 'delivered'",
      [alertId],
    );
    return new Set(rows.map((r) => String(r.recipient)));
  }

  async #cancelChain(alertId: string): Promise<void> {
    await this.#db.run(
      "UPDATE notifications SET status = 'cancelled' WHERE alert_id = $1 AND reason = 'alert' AND status = 'pending'",
      [alertId],
    );
  }
}
