import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { GATT_CHARACTERISTIC as C, gattUuid128, GATT_SERVICE as S } from '../codecs/index.ts';
import type { GattSession, GattSource } from '../devices/ble-vitals.ts';

const SYSTEM_BUS = '/run/dbus/system_bus_socket';

/** Which service holds each measurement characteristic. */
const SERVICE_OF: Record<number, number> = {
  [C.heartRateMeasurement]: S.heartRate,
  [C.plxSpotCheck]: S.pulseOximeter,
  [C.plxContinuous]: S.pulseOximeter,
  [C.temperatureMeasurement]: S.healthThermometer,
  [C.bloodPressureMeasurement]: S.bloodPressure,
  [C.batteryLevel]: S.battery,
};

type NodeBle = typeof import('node-ble');

/**
 * BLE through BlueZ over D-Bus (node-ble, pure JS), loaded only when a BLE device is configured. node-ble
 * crashes the process when there is no system bus, so the socket is checked first; with no bus or no
 * adapter this answers null after one clear log line, and the other devices keep working.
 */
export async function openBlueZ(logger: Logger, busPath = SYSTEM_BUS): Promise<GattSource | null> {
  if (!existsSync(busPath)) {
    logger.warn(
      { busPath },
      'BLE unavailable: no system D-Bus (install and start dbus and bluez); BLE devices stay offline',
    );
    return null;
  }
  try {
    const { createBluetooth } = (await import('node-ble')) as NodeBle;
    const { bluetooth } = createBluetooth();
    const adapter = await bluetooth.defaultAdapter();
    if (!(await adapter.isDiscovering())) await adapter.startDiscovery();
    return {
      async connect(address, characteristics) {
        const device = await adapter.waitDevice(address.toUpperCase());
        await device.connect();
        const gatt = await device.gatt();
        const session = Object.assign(new EventEmitter<{ value: [number, Buffer]; disconnect: [] }>(), {
          close: async () => {
            await device.disconnect().catch(() => {});
          },
        }) satisfies GattSession;
        device.once('disconnect', () => session.emit('disconnect'));
        for (const uuid16 of characteristics) {
          const service = await gatt
            .getPrimaryService(gattUuid128(SERVICE_OF[uuid16] ?? 0))
            .catch(() => null);
          const characteristic = await service?.getCharacteristic(gattUuid128(uuid16)).catch(() => null);
          if (!characteristic) continue;
          characteristic.on('valuechanged', (buffer: Buffer) => session.emit('value', uuid16, buffer));
          await characteristic.startNotifications();
        }
        return session;
      },
    };
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      'BLE unavailable: no Bluetooth adapter; BLE devices stay offline',
    );
    return null;
  }
}
