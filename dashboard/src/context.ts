import type { Alarm } from './alarm.ts';
import type { StringKey } from './i18n/strings.ts';
import type { AlertQueue } from './queue-store.ts';
import type { ServiceQueue } from './service-store.ts';
import type { RegionSummary, SessionUser } from './types.ts';

/** What a screen gets when it is built; every screen returns a `View` whose `stop` undoes its timers and listeners. */
export interface AppContext {
  user: SessionUser;
  queue: AlertQueue;
  /** Green-key service tickets: the helpers' queue, apart from the alerts and never ringing the alarm. */
  services: ServiceQueue;
  alarm: Alarm;
  notices: Notices;
  regions: RegionIndex;
  /** Goes to a hash route (`#/queue`, `#/alert/<id>`, ...). */
  navigate(route: string): void;
  /** Re-reads the queue from REST now. */
  resync(): void;
}

export interface View {
  el: HTMLElement;
  stop(): void;
}

/** A message tied to one alert ("Already acknowledged by X"), kept as a key so a language switch re-translates it. */
export interface Notice {
  key: StringKey;
  vars?: Record<string, string>;
  tone: 'info' | 'warn';
}

export class Notices {
  readonly #byAlert = new Map<string, Notice>();
  readonly #listeners = new Set<(alertId: string) => void>();

  get(alertId: string): Notice | undefined {
    return this.#byAlert.get(alertId);
  }

  set(alertId: string, notice: Notice | null): void {
    if (notice) this.#byAlert.set(alertId, notice);
    else this.#byAlert.delete(alertId);
    for (const listener of this.#listeners) listener(alertId);
  }

  subscribe(listener: (alertId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export type ScopeLevel = 'city' | 'district' | 'community';

/** The regions in the user's scope, for names, the scope's level and its children. */
export class RegionIndex {
  readonly #byId = new Map<string, RegionSummary>();

  load(list: readonly RegionSummary[]): void {
    this.#byId.clear();
    for (const r of list) this.#byId.set(r.id, r);
  }

  name(id: string): string {
    return this.#byId.get(id)?.name ?? id;
  }

  /** From the region list, or else from the depth of the dot path (city.district.community). */
  level(id: string): ScopeLevel {
    const known = this.#byId.get(id)?.level;
    if (known === 'city' || known === 'district' || known === 'community') return known;
    const depth = id.split('.').length;
    return depth <= 1 ? 'city' : depth === 2 ? 'district' : 'community';
  }

  children(id: string): RegionSummary[] {
    return [...this.#byId.values()].filter((r) => r.parent === id).sort((a, b) => a.id.localeCompare(b.id));
  }
}
