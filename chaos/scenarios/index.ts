import type { Scenario } from '../harness/scenario.ts';
import { brokerKill, clusterBrokerKill } from './broker-kill.ts';
import { cloudKill } from './cloud-kill.ts';
import { cloudPause } from './cloud-pause.ts';
import { diskFull } from './disk-full.ts';
import { disorder } from './disorder.ts';
import { linkFaults } from './link-faults.ts';

/** Every scenario, in the order `npm run chaos` runs them. Add one more here. */
export const SCENARIOS: readonly Scenario[] = [
  cloudKill,
  brokerKill,
  clusterBrokerKill,
  cloudPause,
  linkFaults,
  disorder,
  diskFull,
];
