/**
 * The tester's simulator panel as the cloud sees it: a port the composition root may plug in
 * (`npm start` does, with the demo world's homes). The cloud never builds one itself, so a cloud
 * deployed without simulated homes has no way to fake an SOS.
 */
export const SIM_ACTIONS = [
  'sos',
  'fall',
  'fall_cleared',
  'vitals_high',
  'vitals_low_spo2',
  'power_cut',
  'power_restore',
  'smoke',
  'gas',
  'water_leak',
  'door_open',
  'service_request',
] as const;
export type SimAction = (typeof SIM_ACTIONS)[number];

export interface SimHomeState {
  gatewayId: string;
  householdId: string;
  /** The panel's own MQTT connection for this home is up. */
  connected: boolean;
  /** False between `power_cut` and `power_restore`. */
  powered: boolean;
}

export interface HomeSimulatorPort {
  homes(): SimHomeState[];
  /** Performs one action; `eventId` when the action published an event. */
  act(gatewayId: string, action: SimAction): Promise<{ eventId?: string }>;
}

/** Thrown by a simulator for an action the home cannot do now, e.g. SOS during a power cut (→ 409). */
export class SimRefusedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
