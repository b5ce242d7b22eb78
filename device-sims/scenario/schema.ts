import Type from 'typebox';
import { EVENT_TYPES, ID_PATTERN } from '../../protocol/index.ts';
import { DECOY_KINDS } from '../wearable/fall-trace.ts';

/**
 * The scenario file format (device-sims/README.md has the reference). Plain JSON: a trainer writes a
 * `note` on a step instead of a comment. Every object is closed (`additionalProperties: false`) so a
 * misspelt field is an error that names it, not a step that silently does nothing.
 */

const Id = Type.String({ pattern: ID_PATTERN });
const Seconds = Type.Number({ minimum: 0, maximum: 7 * 86_400 });
const Positive = Type.Number({ exclusiveMinimum: 0, maximum: 86_400 });
const closed = { additionalProperties: false } as const;

export const STEP_ACTIONS = [
  ...EVENT_TYPES,
  'vitals',
  'power_cut',
  'power_restore',
  'network_flap',
  'battery_drain',
  'wearable_fall',
  'wearable_decoy',
  'zigbee',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

/** Who a step happens to: one elder, one gateway, the n-th home of the scenario (1-based), or every home. */
const target = {
  at: Seconds,
  elder: Type.Optional(Id),
  gateway: Type.Optional(Id),
  home: Type.Optional(Type.Integer({ minimum: 1 })),
  all: Type.Optional(Type.Boolean()),
  /** With `all`: each home's time is drawn (from the seed) within [at, at + spread]. */
  spread: Type.Optional(Seconds),
  device: Type.Optional(Id),
  note: Type.Optional(Type.String({ maxLength: 500 })),
};

const Reading = Type.Object(
  {
    hr: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
    spo2: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    rr: Type.Optional(Type.Number({ minimum: 0, maximum: 120 })),
    temp: Type.Optional(Type.Number({ minimum: 20, maximum: 45 })),
    sys: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
    dia: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
  },
  { ...closed, minProperties: 1 },
);
export type Reading = Type.Static<typeof Reading>;

export const EventStep = Type.Object(
  {
    ...target,
    do: Type.Enum(EVENT_TYPES),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Where in the home it happened (a smoke alarm's room): sent as `data.room`. */
    room: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  closed,
);
export const VitalsStep = Type.Object(
  {
    ...target,
    do: Type.Literal('vitals'),
    from: Reading,
    to: Reading,
    over: Seconds,
    every: Type.Optional(Positive),
  },
  closed,
);
export const PowerStep = Type.Object(
  { ...target, do: Type.Union([Type.Literal('power_cut'), Type.Literal('power_restore')]) },
  closed,
);
export const FlapStep = Type.Object(
  {
    ...target,
    do: Type.Literal('network_flap'),
    down: Positive,
    up: Positive,
    times: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  closed,
);
export const BatteryStep = Type.Object(
  {
    ...target,
    do: Type.Literal('battery_drain'),
    from: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    to: Type.Number({ minimum: 0, maximum: 100 }),
    over: Seconds,
    every: Type.Optional(Positive),
    /** A `low_battery` event goes out when the level first drops below this (default 20). */
    lowAt: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  },
  closed,
);
export const WearableStep = Type.Object(
  {
    ...target,
    do: Type.Union([Type.Literal('wearable_fall'), Type.Literal('wearable_decoy')]),
    hz: Type.Optional(Type.Integer({ minimum: 50, maximum: 200 })),
    kind: Type.Optional(Type.Enum(DECOY_KINDS)),
  },
  closed,
);

/**
 * A change on the run's simulated zigbee2mqtt bridge (`run --zigbee-port`), which an edge agent reads: a
 * device (friendly name, or the first of a kind: smoke, gas, leak, door, motion, button) reports new
 * fields, a button is pressed, or the bridge changes the device's availability. Not bound to a home.
 */
export const ZigbeeStep = Type.Object(
  {
    at: Seconds,
    do: Type.Literal('zigbee'),
    sensor: Type.String({ minLength: 1, maxLength: 100 }),
    set: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { minProperties: 1 })),
    press: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    availability: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('offline')])),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  closed,
);

export type EventStep = Type.Static<typeof EventStep>;
export type ZigbeeStep = Type.Static<typeof ZigbeeStep>;
export type VitalsStep = Type.Static<typeof VitalsStep>;
export type PowerStep = Type.Static<typeof PowerStep>;
export type FlapStep = Type.Static<typeof FlapStep>;
export type BatteryStep = Type.Static<typeof BatteryStep>;
export type WearableStep = Type.Static<typeof WearableStep>;
export type Step = EventStep | VitalsStep | PowerStep | FlapStep | BatteryStep | WearableStep;

/** The schema a step is checked against, chosen by its `do` (so errors name the step's own fields). */
export function stepSchema(action: StepAction) {
  switch (action) {
    case 'vitals':
      return VitalsStep;
    case 'power_cut':
    case 'power_restore':
      return PowerStep;
    case 'network_flap':
      return FlapStep;
    case 'battery_drain':
      return BatteryStep;
    case 'wearable_fall':
    case 'wearable_decoy':
      return WearableStep;
    case 'zigbee':
      return ZigbeeStep;
    default:
      return EventStep;
  }
}

const Homes = Type.Union([
  Type.Literal('all'),
  Type.Array(Id, { minItems: 1, maxItems: 1_000_000 }),
  Type.Object({ count: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, closed),
  Type.Object(
    {
      generate: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
      prefix: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,20}$' })),
    },
    closed,
  ),
]);

const Background = Type.Object(
  {
    /** Seconds between one home's vitals readings; 0 = none. */
    vitalsEvery: Type.Optional(Seconds),
    /** Seconds between one home's device-state heartbeats; 0 = none. */
    heartbeatEvery: Type.Optional(Seconds),
  },
  closed,
);

/** The file's top level; `timeline` items are checked one by one against `stepSchema`. */
export const ScenarioFile = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    seed: Type.Integer({ minimum: 0, maximum: 4_294_967_295 }),
    duration: Type.Optional(Positive),
    homes: Homes,
    background: Type.Optional(Background),
    timeline: Type.Array(Type.Object({ do: Type.Enum(STEP_ACTIONS) }), { maxItems: 100_000 }),
  },
  closed,
);
export type HomesSpec = Type.Static<typeof Homes>;

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  /** Seconds; background traffic runs until then. */
  duration: number;
  homes: HomesSpec;
  background: { vitalsEvery: number; heartbeatEvery: number };
  timeline: Step[];
  /** Steps for the run's simulated zigbee2mqtt bridge, in time order. */
  zigbee: ZigbeeStep[];
}
