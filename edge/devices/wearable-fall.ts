/**
 * A wearable fall detector, the classic threshold-plus-stillness kind (after the SisFall baselines):
 * an acceleration magnitude of at least `impactG` is a candidate impact; it is a fall only when,
 * `settleS` after it, the wearer stays still for `stillS` (magnitude near 1 g with little spread).
 * Hard sit-downs, stumbles and jumps can reach the threshold too, but the wearer moves on afterwards,
 * so they are not falls. Pure: samples in, verdict out; no driver uses it yet (no wearable kind has an
 * accelerometer stream in the contract), the simulator's `wearable_fall` step does.
 */

export interface AccelSample {
  /** Seconds. */
  t: number;
  x: number;
  y: number;
  z: number;
}

export interface FallDetectorOptions {
  /** Magnitude, in g, that counts as an impact. */
  impactG: number;
  /** Seconds after the impact before stillness is judged (the bounce). */
  settleS: number;
  /** Seconds the wearer must stay still. */
  stillS: number;
  /** Largest standard deviation of the magnitude, in g, that is still. */
  stillSpreadG: number;
}

export const FALL_DETECTOR_DEFAULTS: FallDetectorOptions = {
  impactG: 3,
  settleS: 1,
  stillS: 2,
  stillSpreadG: 0.1,
};

export type FallVerdict =
  | { fall: true; impactAt: number; peakG: number }
  | { fall: false; peakG: number; reason: 'no_impact' | 'moved_on' | 'too_short' };

export function detectFall(
  samples: readonly AccelSample[],
  options: Partial<FallDetectorOptions> = {},
): FallVerdict {
  const o = { ...FALL_DETECTOR_DEFAULTS, ...options };
  const mags = samples.map((s) => Math.hypot(s.x, s.y, s.z));
  const peakG = Math.max(0, ...mags);
  let reason: 'no_impact' | 'moved_on' | 'too_short' = 'no_impact';
  for (let i = 0; i < samples.length; i++) {
    if ((mags[i] as number) < o.impactG) continue;
    const impactAt = (samples[i] as AccelSample).t;
    const from = impactAt + o.settleS;
    const to = from + o.stillS;
    const window = mags.filter((_, j) => {
      const t = (samples[j] as AccelSample).t;
      return t >= from && t < to;
    });
    const last = samples.at(-1)?.t ?? 0;
    if (last < to) {
      reason = 'too_short';
    } else if (isStill(window, o.stillSpreadG)) {
      return { fall: true, impactAt, peakG };
    } else {
      reason = 'moved_on';
    }
    // The rest of this impact belongs to the same event: go on past its settle time.
    while (i + 1 < samples.length && (samples[i + 1] as AccelSample).t < from) i++;
  }
  return { fall: false, peakG, reason };
}

function isStill(window: number[], spread: number): boolean {
  if (window.length < 2) return false;
  const mean = window.reduce((a, b) => a + b, 0) / window.length;
  const sd = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / window.length);
  return sd <= spread && mean > 0.8 && mean < 1.2;
}
