import type { Logger } from 'pino';
import type { DeviceConfig } from '../config.ts';
import { SerialLink } from '../transports/serial.ts';
import type { BridgeLinks } from '../transports/zigbee2mqtt.ts';
import { BleVitalsDriver, type GattSource } from './ble-vitals.ts';
import type { Clock, DeviceDriver, EdgeSink } from './device.ts';
import { RadarDriver, SEEED_SY, TINYFRAME } from './radar.ts';
import { Rf433BridgeDriver } from './rf433-bridge.ts';
import { ZigbeeDriver } from './zigbee.ts';

export interface DriverDeps {
  sink: EdgeSink;
  logger: Logger;
  clock: Clock;
  vitalsEveryMs: number;
  gattSource: GattSource | null;
  /** Connections to local zigbee2mqtt bridges, shared by the devices behind one bridge. */
  bridges: BridgeLinks;
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
    case 'zigbee': {
      const transport = device.transport;
      if (transport.type !== 'zigbee2mqtt')
        throw new DeviceConfigError(`device ${device.id}: zigbee needs a zigbee2mqtt transport`);
      const link = deps.bridges.acquire(transport.url);
      return new ZigbeeDriver(device, { ...deps, link, release: () => deps.bridges.release(transport.url) });
    }
    default:
      throw new DeviceConfigError(`device ${(device as DeviceConfig).id}: unknown kind`);
  }
}
