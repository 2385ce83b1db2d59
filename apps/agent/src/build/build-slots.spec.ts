import { BuildSlots } from './build-slots';

describe('BuildSlots', () => {
  it('lets one build run at a time and starts the waiting ones in order', async () => {
    const slots = new BuildSlots(1);
    const order: string[] = [];
    const first = await slots.acquire();
    expect(slots.available).toBe(false);
    const second = slots.acquire().then((release) => { order.push('second'); return release; });
    const third = slots.acquire().then((release) => { order.push('third'); return release; });
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(slots.queued).toBe(2);
    first();
    first(); // a second release of the same slot frees nothing more
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(slots.available).toBe(true);
  });

  it('a canceled wait leaves the queue and rejects with the reason', async () => {
    const slots = new BuildSlots(1);
    const held = await slots.acquire();
    const ac = new AbortController();
    const waiting = slots.acquire(ac.signal);
    ac.abort('run canceled');
    await expect(waiting).rejects.toThrow('run canceled');
    expect(slots.queued).toBe(0);
    held();
    expect(slots.available).toBe(true);
  });
});
