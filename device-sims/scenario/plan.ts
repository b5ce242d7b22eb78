import type { SimGateway } from '../mqtt-home.ts';
import { mulberry32 } from '../prng.ts';
import type { Trace } from '../wearable/fall-trace.ts';
import { type Action, expandStep, interpolate } from './expand.ts';
import { TimeHeap } from './heap.ts';
import type { Reading, Scenario, VitalsStep } from './schema.ts';
import { derivedId, stepHomes, unit, vitalsDevice } from './targets.ts';

export type { Action } from './expand.ts';

export interface PlanOptions {
  /** Only homes with an index in [from, to) (a worker's share); default all. */
  share?: { from: number; to: number };
  onTrace?: (label: string, trace: Trace) => void;
}

type Entry = { at: number; seq: number } & (
  | { kind: 'action'; action: Action }
  | { kind: 'vitals' | 'heartbeat'; home: number; n: number }
);

/** An entry before it has its place in line (Omit over each member of the union). */
type NewEntry = Entry extends infer E ? (E extends unknown ? Omit<E, 'seq'> : never) : never;

interface HomeState {
  rand: () => number;
  powered: boolean;
  linked: boolean;
  battery: Map<string, number>;
  drifts: VitalsStep[];
}

/**
 * A scenario turned into the time-ordered messages its homes send. Deterministic: the same scenario,
 * seed and homes give the same actions, ids and values in the same order, in one process or split
 * over workers (every draw is keyed by seed and home, never by how far another home has got).
 * Background vitals and heartbeats are made lazily, so a fleet of 20,000 homes costs no memory up front.
 */
export class Plan {
  readonly scenario: Scenario;
  readonly homes: readonly SimGateway[];
  readonly #heap = new TimeHeap<Entry>();
  readonly #state = new Map<number, HomeState>();
  readonly #endMs: number;
  #seq = 0;

  constructor(scenario: Scenario, homes: readonly SimGateway[], options: PlanOptions = {}) {
    this.scenario = scenario;
    this.homes = homes;
    this.#endMs = scenario.duration * 1000;
    const { from, to } = options.share ?? { from: 0, to: homes.length };
    for (let h = from; h < Math.min(to, homes.length); h++) this.#state.set(h, this.#initialState(h));
    this.#expandTimeline(options.onTrace);
    this.#startBackground();
  }

  get durationMs(): number {
    return this.#endMs;
  }

  /** The next action due at or before `untilMs` (ms from the start), or undefined. */
  next(untilMs = Number.POSITIVE_INFINITY): Action | undefined {
    for (;;) {
      const top = this.#heap.peek();
      if (!top || top.at > untilMs || top.at > this.#endMs) return undefined;
      this.#heap.pop();
      const action = top.kind === 'action' ? this.#apply(top.action) : this.#background(top);
      if (action) return action;
    }
  }

  /** Ms from the start of the next action, if any is left. */
  peekTime(): number | undefined {
    const top = this.#heap.peek();
    return top && top.at <= this.#endMs ? top.at : undefined;
  }

  #initialState(h: number): HomeState {
    const gw = this.homes[h] as SimGateway;
    const rand = mulberry32(Math.floor(unit(this.scenario.seed, `home:${gw.id}`) * 2 ** 32));
    const battery = new Map(gw.devices.map((d) => [d.id, 60 + Math.floor(rand() * 40)]));
    return { rand, powered: true, linked: true, battery, drifts: [] };
  }

  #push(entry: NewEntry): void {
    this.#heap.push({ ...entry, seq: this.#seq++ } as Entry);
  }

  #expandTimeline(onTrace: PlanOptions['onTrace']): void {
    const { seed, timeline } = this.scenario;
    timeline.forEach((step, s) => {
      for (const h of stepHomes(step, this.homes, `timeline[${s}]`)) {
        const state = this.#state.get(h);
        if (!state) continue;
        const jitter = step.spread ? unit(seed, `spread:${s}:${h}`) * step.spread : 0;
        const atMs = Math.round((step.at + jitter) * 1000);
        if (step.do === 'vitals') state.drifts.push(step);
        const context = { seed, step: s, home: h, gateway: this.homes[h] as SimGateway, atMs };
        const battery = (id: string) => state.battery.get(id) ?? 100;
        for (const action of expandStep(step, { ...context, battery, ...(onTrace ? { onTrace } : {}) }))
          this.#push({ at: action.atMs, kind: 'action', action });
      }
    });
  }

  #startBackground(): void {
    const { seed, background } = this.scenario;
    for (const h of this.#state.keys()) {
      const id = (this.homes[h] as SimGateway).id;
      if (background.vitalsEvery > 0 && vitalsDevice(this.homes[h] as SimGateway)) {
        const first = unit(seed, `vitals:${id}`) * background.vitalsEvery * 1000;
        this.#push({ at: Math.round(first), kind: 'vitals', home: h, n: 0 });
      }
      if (background.heartbeatEvery > 0) {
        const first = unit(seed, `heartbeat:${id}`) * background.heartbeatEvery * 1000;
        this.#push({ at: Math.round(first), kind: 'heartbeat', home: h, n: 0 });
      }
    }
  }

  /** Keeps each home's power, link and batteries current as its actions leave, in time order. */
  #apply(action: Action): Action {
    const state = this.#state.get(action.home) as HomeState;
    switch (action.kind) {
      case 'power_cut':
        state.powered = false;
        break;
      case 'power_restore':
        state.powered = true;
        break;
      case 'net_down':
        state.linked = false;
        break;
      case 'net_up':
        state.linked = true;
        break;
      case 'device_state':
        state.battery.set(action.deviceId, action.battery);
        break;
      case 'event':
        if (!state.powered) return { ...action, skipped: 'no_power' };
        break;
    }
    return action;
  }

  /** One background message, and the next one of the same kind scheduled; none while the home is down. */
  #background(entry: Extract<Entry, { kind: 'vitals' | 'heartbeat' }>): Action | undefined {
    const { background, seed } = this.scenario;
    const every = (entry.kind === 'vitals' ? background.vitalsEvery : background.heartbeatEvery) * 1000;
    this.#push({ at: entry.at + every, kind: entry.kind, home: entry.home, n: entry.n + 1 });
    const state = this.#state.get(entry.home) as HomeState;
    const gw = this.homes[entry.home] as SimGateway;
    // The draws happen even when nothing is sent, so a power cut does not shift later values.
    const reading = this.#reading(state, entry.at);
    if (!state.powered || !state.linked) return undefined;
    const base = { atMs: entry.at, gatewayId: gw.id, home: entry.home };
    if (entry.kind === 'heartbeat') {
      // One device per beat in turn keeps each beat one message; all devices are covered every few beats.
      const device = gw.devices[entry.n % gw.devices.length];
      if (!device) return undefined;
      const battery = state.battery.get(device.id) ?? 100;
      return { ...base, kind: 'device_state', deviceId: device.id, battery };
    }
    const device = vitalsDevice(gw);
    if (!device) return undefined;
    const id = derivedId(seed, `bg:${gw.id}:${entry.n}`);
    return { ...base, kind: 'vitals', deviceId: device.id, id, reading };
  }

  /** Resting vitals with a little noise, where a drift that has begun takes over its vitals. */
  #reading(state: HomeState, atMs: number): Reading {
    const reading: Reading = {
      hr: 62 + Math.floor(state.rand() * 20),
      spo2: 95 + Math.floor(state.rand() * 4),
      rr: 14 + Math.floor(state.rand() * 4),
    };
    for (const drift of state.drifts) {
      const t = atMs / 1000 - drift.at;
      if (t >= 0) Object.assign(reading, interpolate(drift, drift.over === 0 ? 1 : t / drift.over));
    }
    return reading;
  }
}

/** Every action of a plan, for `--dry-run` and tests. */
export function planAll(plan: Plan): Action[] {
  const out: Action[] = [];
  for (let a = plan.next(); a; a = plan.next()) out.push(a);
  return out;
}
