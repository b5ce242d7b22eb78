import type { StringKey } from './i18n/strings.ts';

/**
 * The standard response procedure per alert type, used when the elder's profile has none of its own.
 * Steps are i18n keys, so the procedure reads in the operator's language.
 */
const PERSON_DOWN: StringKey[] = [
  'proc.fallAsk',
  'proc.noAnswerContact',
  'proc.sendResponder',
  'proc.keySafe',
  'proc.ems',
  'proc.notifyFamily',
  'proc.resolve',
];
const CALL: StringKey[] = [
  'proc.confirmCall',
  'proc.noAnswerContact',
  'proc.sendResponder',
  'proc.keySafe',
  'proc.ems',
  'proc.notifyFamily',
  'proc.resolve',
];
const HAZARD: StringKey[] = [
  'proc.hazardEvacuate',
  'proc.hazard119',
  'proc.noAnswerContact',
  'proc.sendResponder',
  'proc.keySafe',
  'proc.resolve',
];
const VITALS: StringKey[] = [
  'proc.vitalsCheck',
  'proc.vitalsDoctor',
  'proc.noAnswerContact',
  'proc.sendResponder',
  'proc.resolve',
];
const WELFARE: StringKey[] = [
  'proc.checkOnElder',
  'proc.visitIfNoAnswer',
  'proc.notifyFamily',
  'proc.resolve',
];
const EQUIPMENT: StringKey[] = ['proc.gatewayPower', 'proc.deviceService', 'proc.resolve'];

const BY_TYPE: Record<string, StringKey[]> = {
  sos: CALL,
  fall: PERSON_DOWN,
  smoke: HAZARD,
  gas: HAZARD,
  water_leak: HAZARD,
  vitals: VITALS,
  inactivity: WELFARE,
  missed_checkin: WELFARE,
  night_door: WELFARE,
  absence: WELFARE,
  door_open: WELFARE,
  service_request: WELFARE,
  gateway_offline: EQUIPMENT,
  device_offline: EQUIPMENT,
  wearable_off: WELFARE,
  low_battery: EQUIPMENT,
  tamper: EQUIPMENT,
};

export function defaultProcedure(alertType: string): StringKey[] {
  return BY_TYPE[alertType] ?? CALL;
}
