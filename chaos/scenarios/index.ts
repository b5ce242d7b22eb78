import type { Scenario } from '../harness/scenario.ts';
import { brokerKill, clusterBrokerKill } from './broker-kill.ts';
import { cloudKill } from './cloud-kill.ts';
import { cloudLinkCut } from './cloud-link-cut.ts';
import { cloudPause } from './cloud-pause.ts';
import { cloudLeaseTakeover, cloudPgKill } from './cloud-postgres.ts';
import { diskFull } from './disk-full.ts';
import { disorder } from './disorder.ts';
import { feedbackVitals } from './feedback-vitals.ts';
import { linkFaults } from './link-faults.ts';
import { redisKill } from './redis-kill.ts';

/** Every scenario, in the order `npm run chaos` runs them. Add one more here. */
export const SCENARIOS: readonly Scenario[] = [
  cloudKill,
  brokerKill,
  clusterBrokerKill,
  cloudPause,
  linkFaults,
  disorder,
  diskFull,
  redisKill,
  cloudPgKill,
  cloudLeaseTakeover,
  cloudLinkCut,
  feedbackVitals,
];
