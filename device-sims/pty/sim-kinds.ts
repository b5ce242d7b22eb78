/**
 * The simulators `sim pty --kind` can start, and the script actions each understands. To add a
 * device: one entry in `SIM_KINDS` and a line in the CLI help.
 */
import { Rf433BridgeSim } from './rf433-bridge-sim.ts';
import { SeeedRadarSim } from './seeed-radar-sim.ts';
import type { SerialDevice } from './serial-device.ts';
import { TinyFrameRadarSim } from './tinyframe-radar-sim.ts';

export const SIM_KIND_NAMES = ['mr60fda1', 'mr60bha1', 'mr60fda2', 'mr60bha2', 'rf433-bridge'] as const;
export type SimKind = (typeof SIM_KIND_NAMES)[number];

/**
 * Checks a step's argument when the script is parsed (throwing on a bad one) and returns what to
 * run at the step's time, so a typo fails at start-up instead of minutes into a session.
 */
export type SimAction = (arg: string | undefined) => () => Promise<unknown>;

export interface RunnableSim {
  device: SerialDevice;
  actions: Readonly<Record<string, SimAction>>;
  /** Starts the module's own periodic traffic (the SY heartbeat); absent when it has none. */
  startHeartbeat?: (ms: number) => void;
}

export function isSimKind(value: string): value is SimKind {
  return (SIM_KIND_NAMES as readonly string[]).includes(value);
}

/** Builds the simulator on `devicePath`; it still has to be opened. */
export function createSim(kind: SimKind, devicePath: string): RunnableSim {
  switch (kind) {
    case 'mr60fda1':
    case 'mr60bha1':
      return seeedSim(new SeeedRadarSim({ path: devicePath, model: kind }));
    case 'mr60fda2':
    case 'mr60bha2':
      return tinyFrameSim(new TinyFrameRadarSim({ path: devicePath, model: kind }));
    case 'rf433-bridge':
      return bridgeSim(new Rf433BridgeSim({ path: devicePath }));
  }
}

function seeedSim(sim: SeeedRadarSim): RunnableSim {
  return {
    device: sim,
    startHeartbeat: (ms) => sim.startAutoHeartbeat(ms),
    actions: {
      heartbeat: plain(() => sim.heartbeat()),
      presence: plain(() => sim.presence(true)),
      absent: plain(() => sim.presence(false)),
      motion: withInt('motion', 2, (level) => sim.motion(level as 0 | 1 | 2)),
      fall: plain(() => sim.fall(true)),
      'fall-split': plain(() => sim.fallSplit()),
      clear: plain(() => sim.fall(false)),
      residence: plain(() => sim.residence(true)),
      'residence-clear': plain(() => sim.residence(false)),
      hr: withInt('hr', 255, (bpm) => sim.heartRate(bpm)),
      br: withInt('br', 255, (n) => sim.breathRate(n)),
      noise: withInt('noise', 65536, (n) => sim.noise(n)),
    },
  };
}

function tinyFrameSim(sim: TinyFrameRadarSim): RunnableSim {
  return {
    device: sim,
    actions: {
      presence: plain(() => sim.presence(true)),
      absent: plain(() => sim.presence(false)),
      fall: plain(() => sim.fall(true)),
      clear: plain(() => sim.fall(false)),
      hr: withNumber('hr', (bpm) => sim.heartRate(bpm)),
      br: withNumber('br', (n) => sim.breathRate(n)),
      debug: (arg) => () => sim.debugText(arg ?? 'debug'),
      noise: withInt('noise', 65536, (n) => sim.noise(n)),
    },
  };
}

function bridgeSim(sim: Rf433BridgeSim): RunnableSim {
  return {
    device: sim,
    actions: {
      press: (arg) => {
        if (arg === undefined || !/^[0-9a-f]{6}$/i.test(arg)) {
          throw new Error(`press needs a six-hex-digit code, e.g. press:511451@1 (got ${arg ?? 'none'})`);
        }
        return () => sim.press(arg);
      },
      noise: withInt('noise', 65536, (n) => sim.noise(n)),
    },
  };
}

function plain(run: () => Promise<unknown>): SimAction {
  return () => run;
}

function withNumber(action: string, run: (value: number) => Promise<unknown>): SimAction {
  return (arg) => {
    const value = Number(arg);
    if (arg === undefined || arg.trim() === '' || !Number.isFinite(value)) {
      throw new Error(`${action} needs a number, e.g. ${action}:72@1 (got ${arg ?? 'none'})`);
    }
    return () => run(value);
  };
}

function withInt(action: string, max: number, run: (value: number) => Promise<unknown>): SimAction {
  return (arg) => {
    const value = Number(arg);
    if (arg === undefined || !/^\d+$/.test(arg.trim()) || value > max) {
      throw new Error(`${action} needs a whole number 0..${max}, e.g. ${action}:1@1 (got ${arg ?? 'none'})`);
    }
    return () => run(value);
  };
}
