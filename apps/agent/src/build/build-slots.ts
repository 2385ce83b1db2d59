/**
 * How many kernel builds an agent runs at once. A build already uses every
 * core (make -j sized to the host); two at once only make both slower, so
 * the default is one and the others wait their turn, in order.
 */
export class BuildSlots {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size = 1) {}

  /** Resolves with a release function once a slot is free; rejects if the signal aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.busy++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.busy--;
          this.waiting.shift()?.();
        });
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new Error(String(signal?.reason ?? 'aborted')));
      };
      if (signal?.aborted) return onAbort();
      if (this.busy < this.size) return grant();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  /** True when a build would start at once. */
  get available(): boolean {
    return this.busy < this.size;
  }

  /** Builds waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
