import { decideAbRound } from '../src/ab-rounds';

describe('decideAbRound', () => {
  it('round 1 without a regression ends the job: no-change, improvement and too little data alike', () => {
    expect(decideAbRound(1, [])).toEqual({ state: 'no-regression', metrics: [], summary: 'no regression' });
  });

  it('round 1 with a regression asks for a second round, naming the metrics once each, in the order given', () => {
    expect(decideAbRound(1, ['b.online_ns', 'a.add_ns', 'b.online_ns'])).toEqual({
      state: 'confirming', metrics: ['b.online_ns', 'a.add_ns'], summary: 'regression suspected in b.online_ns, a.add_ns: confirming with a second round',
    });
  });

  it('round 2 confirms only the metrics that regressed in both rounds', () => {
    expect(decideAbRound(2, ['x.add_ns', 'x.remove_ns'], ['x.add_ns', 'x.online_ns'])).toEqual({
      state: 'regression-confirmed', metrics: ['x.add_ns'], summary: 'regression confirmed in x.add_ns',
    });
  });

  it('round 2 without a repeat of round 1 is not confirmed, even when another metric regressed now', () => {
    expect(decideAbRound(2, ['x.remove_ns'], ['x.add_ns'])).toEqual({
      state: 'regression-not-confirmed', metrics: [], summary: 'the regression in x.add_ns did not show again in the second round',
    });
    expect(decideAbRound(2, [], ['a', 'b', 'c', 'd', 'e']).summary).toBe('the regression in a, b, c and 2 more did not show again in the second round');
  });
});
