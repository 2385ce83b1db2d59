import { AGING_POINTS_PER_MINUTE, effectivePriority, FAIR_SHARE_POINTS, fairSharePenalty, MAX_PRIORITY, minutesToReach, resolveSchedulingOptions } from '@pfnlab/scheduling';
import { MINUTE } from './fixtures';

describe('effectivePriority (aging)', () => {
  it('adds one point per minute waited, documented as the default', () => {
    expect(AGING_POINTS_PER_MINUTE).toBe(1);
    expect(effectivePriority(25, 0)).toBe(25);
    expect(effectivePriority(25, 30 * MINUTE)).toBe(55);
    expect(effectivePriority(50, 90_000)).toBe(51.5);
    expect(effectivePriority(0, 99 * MINUTE)).toBe(99);
  });

  it('is capped at the top of the scale, 100', () => {
    expect(MAX_PRIORITY).toBe(100);
    expect(effectivePriority(25, 75 * MINUTE)).toBe(100);
    expect(effectivePriority(25, 76 * MINUTE)).toBe(100);
    expect(effectivePriority(0, 1000 * MINUTE)).toBe(100);
    expect(effectivePriority(100, 0)).toBe(100);
  });

  it('counts a queuedAt in the future (another replica\'s clock) as no wait, and follows a custom rate', () => {
    expect(effectivePriority(40, -5 * MINUTE)).toBe(40);
    expect(effectivePriority(40, 10 * MINUTE, 0.5)).toBe(45);
    expect(effectivePriority(40, 10 * MINUTE, 0)).toBe(40);
  });

  it('minutesToReach: a low run passes a fresh high one after 50 minutes, anything is at the top after 100', () => {
    expect(minutesToReach(25, 75)).toBe(50);
    expect(minutesToReach(0, 100)).toBe(100);
    expect(minutesToReach(80, 75)).toBe(0);
    expect(minutesToReach(25, 75, 0.5)).toBe(100);
    expect(minutesToReach(25, 75, 0)).toBe(Infinity);
    expect(minutesToReach(25, 101)).toBe(Infinity);
  });
});

describe('fairSharePenalty', () => {
  it('is 0 for a user holding nothing and grows with the share of the fair share held', () => {
    expect(FAIR_SHARE_POINTS).toBe(20);
    // 10 machines, 2 active users: a fair share is 5 machines.
    expect(fairSharePenalty(0, 2, 10)).toBe(0);
    expect(fairSharePenalty(1, 2, 10)).toBe(4);
    expect(fairSharePenalty(4, 2, 10)).toBe(16);
    expect(fairSharePenalty(5, 2, 10)).toBe(20);
    expect(fairSharePenalty(9, 2, 10)).toBe(20);
  });

  it('a single active user\'s fair share is the whole lab; no machines in service or no weight mean no penalty', () => {
    expect(fairSharePenalty(5, 1, 10)).toBe(10);
    expect(fairSharePenalty(5, 0, 10)).toBe(10);
    expect(fairSharePenalty(3, 2, 0)).toBe(0);
    expect(fairSharePenalty(3, 2, 10, 0)).toBe(0);
    expect(fairSharePenalty(1, 4, 1000, 50)).toBe(0.2);
  });
});

describe('resolveSchedulingOptions', () => {
  it('fills defaults and refuses negative or non-finite values by name', () => {
    expect(resolveSchedulingOptions()).toEqual({ agingPointsPerMinute: 1, fairSharePoints: 20 });
    expect(resolveSchedulingOptions({ agingPointsPerMinute: 0 })).toEqual({ agingPointsPerMinute: 0, fairSharePoints: 20 });
    expect(() => resolveSchedulingOptions({ agingPointsPerMinute: -1 })).toThrow('agingPointsPerMinute must be a finite number >= 0, got -1');
    expect(() => resolveSchedulingOptions({ fairSharePoints: NaN })).toThrow('fairSharePoints must be a finite number >= 0, got NaN');
  });
});
