import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { GATT_CHARACTERISTIC, type GattReading, type IeeeNumber, parseGatt } from '../codecs/index.ts';
import type { DeviceConfig } from '../config.ts';
import type { Clock, DeviceDriver, EdgeSink, VitalsReading } from './device.ts';

/** A connected wearable: GATT notifications and indications by 16-bit characteristic UUID. */
export interface GattSession extends EventEmitter<{ value: [number, Buffer]; disconnect: [] }> {
  close(): Promise<void>;
}

/** Where BLE comes from (BlueZ over D-Bus on a gateway); null when the machine has no Bluetooth. */
export interface GattSource {
  connect(address: string, characteristics: number[]): Promise<GattSession>;
}

/** The characteristics a vitals wearable may offer; the driver subscribes to those it has. */
export const VITALS_CHARACTERISTICS = [
  GATT_CHARACTERISTIC.heartRateMeasurement,
  GATT_CHARACTERISTIC.plxSpotCheck,
  GATT_CHARACTERISTIC.plxContinuous,
  GATT_CHARACTERISTIC.temperatureMeasurement,
  GATT_CHARACTERISTIC.bloodPressureMeasurement,
  GATT_CHARACTERISTIC.batteryLevel,
];

const LOW_BATTERY = 15;
const BATTERY_RECOVERED = 25;
const value = (n: IeeeNumber | undefined): number | undefined => (n?.kind === 'value' ? n.value : undefined);

/** Maps one GATT reading to vitals fields (`{}` when it carries no usable value, e.g. SpO2 NaN). */
export function vitalsOf(reading: GattReading): VitalsReading {
  switch (reading.kind) {
    case 'heartRate':
      return reading.sensorContact === 'notDetected' ? {} : { hr: reading.bpm };
    case 'plxSpotCheck':
    case 'plxContinuous':
      return withoutUndefined({ spo2: value(reading.spo2), hr: value(reading.pulseRate) });
    case 'temperature':
      return withoutUndefined({ temp: value(reading.celsius) });
    case 'bloodPressure':
      return withoutUndefined({
        sys: value(reading.mmHg.systolic),
        dia: value(reading.mmHg.diastolic),
        hr: value(reading.pulseRate),
      });
    case 'battery':
      return {};
  }
}

function withoutUndefined(v: Record<string, number | undefined>): VitalsReading {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as VitalsReading;
}

/**
 * A BLE vitals wearable (GATT heart rate, pulse oximeter, thermometer, blood pressure, battery). Readings
 * are folded into one vitals message per `vitalsEveryMs`; loss of skin contact is `wearable_off`; a low
 * battery is reported once until it recovers. Without Bluetooth on the machine it logs one line and the
 * other devices carry on.
 */
export class BleVitalsDriver implements DeviceDriver {
  readonly id: string;
  readonly #address: string;
  readonly #source: GattSource | null;
  readonly #sink: EdgeSink;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #vitalsEveryMs: number;
  #session: GattSession | null = null;
  #pending: VitalsReading = {};
  #worn: boolean | null = null;
  #lowBattery = false;
  #timers: { flush?: NodeJS.Timeout; retry?: NodeJS.Timeout } = {};
  #stopped = false;

  constructor(
    device: DeviceConfig,
    deps: { source: GattSource | null; sink: EdgeSink; logger: Logger; clock: Clock; vitalsEveryMs: number },
  ) {
    this.id = device.id;
    this.#address = device.transport.type === 'ble' ? device.transport.address : '';
    this.#source = deps.source;
    this.#sink = deps.sink;
    this.#clock = deps.clock;
    this.#vitalsEveryMs = deps.vitalsEveryMs;
    this.#log = deps.logger.child({ deviceId: device.id, kind: device.kind });
  }

  start(): void {
    this.#stopped = false;
    if (!this.#source) {
      this.#sink.state(this.id, false);
      return;
    }
    this.#timers.flush = this.#clock.setInterval(() => this.#flush(), this.#vitalsEveryMs);
    void this.#connect(this.#source);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clock.clearInterval(this.#timers.flush);
    this.#clock.clearTimeout(this.#timers.retry);
    await this.#session?.close().catch(() => {});
    this.#session = null;
  }

  /** Handles one notification; public so the mapping is testable without a radio. */
  onValue(uuid16: number, bytes: Uint8Array): void {
    const parsed = parseGatt(uuid16, bytes);
    if (!parsed.ok) {
      this.#log.warn({ uuid16, code: parsed.error.code, detail: parsed.error.message }, 'GATT value dropped');
      return;
    }
    const reading = parsed.value;
    if (reading.kind === 'battery') this.#battery(reading.percent);
    if (reading.kind === 'heartRate' && reading.sensorContact !== 'unsupported')
      this.#contact(reading.sensorContact === 'detected');
    Object.assign(this.#pending, vitalsOf(reading));
  }

  #battery(percent: number): void {
    this.#sink.state(this.id, true, { battery: percent });
    if (percent <= LOW_BATTERY && !this.#lowBattery)
      this.#sink.event(this.id, 'low_battery', { battery: percent });
    if (percent <= LOW_BATTERY) this.#lowBattery = true;
    if (percent >= BATTERY_RECOVERED) this.#lowBattery = false;
  }

  #contact(worn: boolean): void {
    if (this.#worn !== null && worn !== this.#worn)
      this.#sink.event(this.id, worn ? 'wearable_on' : 'wearable_off');
    this.#worn = worn;
  }

  #flush(): void {
    if (Object.keys(this.#pending).length === 0) return;
    this.#sink.vitals(this.id, this.#pending);
    this.#pending = {};
  }

  async #connect(source: GattSource): Promise<void> {
    try {
      const session = await source.connect(this.#address, VITALS_CHARACTERISTICS);
      if (this.#stopped) return void (await session.close());
      this.#session = session;
      session.on('value', (uuid, bytes) => this.onValue(uuid, bytes));
      session.once('disconnect', () => this.#retry('disconnected'));
      this.#sink.state(this.id, true);
    } catch (err) {
      this.#retry((err as Error).message);
    }
  }

  #retry(reason: string): void {
    this.#session = null;
    this.#sink.state(this.id, false);
    if (this.#stopped || !this.#source) return;
    this.#log.warn({ reason }, 'wearable not connected; retrying in 30 s');
    const source = this.#source;
    this.#timers.retry = this.#clock.setTimeout(() => void this.#connect(source), 30_000);
  }
}
