export * from './cli.ts';
export * from './pty-pair.ts';
export * from './rf433-bridge-sim.ts';
export * from './seeed-radar-sim.ts';
export * from './serial-device.ts';
export * from './sim-kinds.ts';
export * from './timeline.ts';
export * from './tinyframe-radar-sim.ts';
