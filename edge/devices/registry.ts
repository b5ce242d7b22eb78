import type { Logger } from 'pino';
import type { DeviceConfig } from '../config.ts';
import { SerialLink } from '../transports/serial.ts';
import { BleVitalsDriver, type GattSource } from './ble-vitals.ts';
import type { Clock, DeviceDriver, EdgeSink } from './device.ts';
import { RadarDriver, SEEED_SY, TINYFRAME } from './radar.ts';
import { Rf433BridgeDriver } from './rf433-bridge.ts';

export interface DriverDeps {
  sink: EdgeSink;
  logger: Logger;
  clock: Clock;
  vitalsEveryMs: number;
  gattSource: GattSource | null;
}

/** A device's config does not fit its kind (e.g. a radar over BLE). */
export class DeviceConfigError extends Error {}

function serialLink(device: DeviceConfig, deps: DriverDeps): SerialLink {
  if (device.transport.type !== 'serial') {
    throw new DeviceConfigError(
      `device ${device.id}: kind ${device.kind} needs a serial transport, not ${device.transport.type}`,
    );
  }
  return new SerialLink(device.transport.path, device.transport.baudRate, deps.logger, deps.clock);
}

/** Kind → driver: the one place that knows which driver and transport serve a device kind. */
export function createDriver(device: DeviceConfig, deps: DriverDeps): DeviceDriver | null {
  switch (device.kind) {
    case 'mr60fda1':
    case 'mr60bha1':
      return new RadarDriver(device, { ...deps, link: serialLink(device, deps), protocol: SEEED_SY });
    case 'mr60fda2':
    case 'mr60bha2':
      return new RadarDriver(device, { ...deps, link: serialLink(device, deps), protocol: TINYFRAME });
    case 'rf433-bridge':
      return new Rf433BridgeDriver(device, { ...deps, link: serialLink(device, deps) });
    case 'ble-vitals':
      if (device.transport.type !== 'ble')
        throw new DeviceConfigError(`device ${device.id}: ble-vitals needs a ble transport`);
      return new BleVitalsDriver(device, { ...deps, source: deps.gattSource });
    case 'zigbee':
      // zigbee2mqtt devices arrive with the whole-home issue; until then the agent says so and goes on.
      deps.logger.warn(
        { deviceId: device.id },
        'zigbee devices are not supported by this agent version; device skipped',
      );
      return null;
    default:
      throw new DeviceConfigError(`device ${(device as DeviceConfig).id}: unknown kind`);
  }
}
