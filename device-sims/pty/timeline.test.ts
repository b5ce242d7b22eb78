import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseTimeline, playTimeline, type TimelineStep } from './timeline.ts';

describe('the sim pty timeline script', () => {
  it('steps are parsed as action, optional argument and seconds, sorted by time', () => {
    expect(parseTimeline('fall@5, clear@40,hr:72@1,,debug:a@b:c@0.5')).toEqual([
      { action: 'debug', arg: 'a@b:c', atSeconds: 0.5 },
      { action: 'hr', arg: '72', atSeconds: 1 },
      { action: 'fall', arg: undefined, atSeconds: 5 },
      { action: 'clear', arg: undefined, atSeconds: 40 },
    ]);
  });

  it('steps at the same time keep the order they were written in', () => {
    expect(parseTimeline('presence@2,fall@2,hr:60@2').map((s) => s.action)).toEqual([
      'presence',
      'fall',
      'hr',
    ]);
  });

  it('an empty script has no steps', () => {
    expect(parseTimeline('')).toEqual([]);
  });

  it.each([
    ['fall', /needs a time/],
    ['fall@', /bad time/],
    ['fall@-1', /bad time/],
    ['fall@soon', /bad time/],
    ['@3', /needs a time/],
    [':72@3', /no action/],
  ])('the step "%s" is rejected with a message saying what is wrong', (script, message) => {
    expect(() => parseTimeline(script)).toThrow(message);
  });
});

describe('playing a timeline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('each step runs at its time, and a slow step delays the next instead of overlapping it', async () => {
    const t0 = Date.now();
    const started: string[] = [];
    const running = playTimeline(parseTimeline('a@0,b@1,c@1.5'), async (step: TimelineStep) => {
      started.push(`${step.action}@${Date.now() - t0}`);
      if (step.action === 'b') await new Promise((resolve) => setTimeout(resolve, 2000));
    });
    await vi.advanceTimersByTimeAsync(5000);
    await running.done;
    expect(started).toEqual(['a@0', 'b@1000', 'c@3000']);
  });

  it('stopping a timeline cancels the steps that have not run yet', async () => {
    const ran: string[] = [];
    const running = playTimeline(parseTimeline('a@0,b@10'), async (step) => {
      ran.push(step.action);
    });
    await vi.advanceTimersByTimeAsync(1);
    running.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(ran).toEqual(['a']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
