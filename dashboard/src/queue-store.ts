import { SEVERITIES } from '../../protocol/alerts.ts';
import type { AlertView } from './types.ts';

const STATE_RANK = { open: 0, acknowledged: 1, resolved: 2 } as const;

export interface QueueChange {
  /** Alerts this page had not seen before (live or found by a re-sync): they flash and may ring. */
  added: AlertView[];
  updated: AlertView[];
  removed: string[];
}

/** Queue order: severity, then the longest waiting first. */
export function compareAlerts(a: AlertView, b: AlertView): number {
  const bySeverity = SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity);
  return bySeverity || Date.parse(a.raisedAt) - Date.parse(b.raisedAt) || a.id.localeCompare(b.id);
}

/**
 * The open and acknowledged alerts this page shows, merged from three sources that can arrive in any
 * order: socket pushes, answers to this page's own actions, and REST re-syncs. States only move forward,
 * a resolved alert never comes back, and a REST snapshot never overwrites what the socket said while the
 * snapshot was in flight.
 */
export class AlertQueue {
  readonly #alerts = new Map<string, AlertView>();
  readonly #gone = new Set<string>();
  readonly #listeners = new Set<(change: QueueChange) => void>();
  #touched = new Set<string>();
  #syncSeq = 0;

  subscribe(listener: (change: QueueChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(id: string): AlertView | undefined {
    return this.#alerts.get(id);
  }

  sorted(): AlertView[] {
    return [...this.#alerts.values()].sort(compareAlerts);
  }

  /** An alert from the socket or from an action's answer. */
  apply(alert: AlertView): void {
    this.#touched.add(alert.id);
    const change: QueueChange = { added: [], updated: [], removed: [] };
    this.#merge(alert, change);
    this.#emit(change);
  }

  /** Starts a REST re-sync; pass the returned number to `finishSync`. */
  beginSync(): number {
    this.#touched = new Set();
    return ++this.#syncSeq;
  }

  /** Ends a re-sync with the open and acknowledged alerts REST returned; a superseded one is ignored. */
  finishSync(seq: number, fresh: readonly AlertView[]): boolean {
    if (seq !== this.#syncSeq) return false;
    const change: QueueChange = { added: [], updated: [], removed: [] };
    const ids = new Set(fresh.map((a) => a.id));
    for (const id of [...this.#alerts.keys()]) {
      if (ids.has(id) || this.#touched.has(id)) continue;
      this.#alerts.delete(id);
      change.removed.push(id);
    }
    for (const alert of fresh) if (!this.#touched.has(alert.id)) this.#merge(alert, change);
    this.#emit(change);
    return true;
  }

  #merge(alert: AlertView, change: QueueChange): void {
    const old = this.#alerts.get(alert.id);
    if (this.#gone.has(alert.id)) return;
    if (old && STATE_RANK[old.state] > STATE_RANK[alert.state]) return;
    if (alert.state === 'resolved') {
      this.#gone.add(alert.id);
      if (this.#alerts.delete(alert.id)) change.removed.push(alert.id);
      return;
    }
    this.#alerts.set(alert.id, alert);
    (old ? change.updated : change.added).push(alert);
  }

  #emit(change: QueueChange): void {
    if (!change.added.length && !change.updated.length && !change.removed.length) return;
    for (const listener of this.#listeners) listener(change);
  }
}
