/** Edge device kinds (CONTRACT §5); frame formats in the shared DEVICE-PROTOCOLS.md. */
export const DEVICE_KINDS = [
  'mr60fda1',
  'mr60bha1',
  'mr60fda2',
  'mr60bha2',
  'rf433-bridge',
  'ble-vitals',
  'zigbee',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
