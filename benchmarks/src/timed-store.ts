// A SessionStore seen through a stopwatch: the executor calls it as usual, and every store call's time
// is added to the running totals, split into reads and writes, so a turn's store time can be told
// apart from its model call and its own work.
import type { SessionStore } from '@sdk/core/store';

export type StoreClock = { readMs: number; writeMs: number; otherMs: number; calls: number };

const READS = new Set(['load', 'loadWindow']);
const WRITES = new Set(['append', 'appendIf']);

export function newStoreClock(): StoreClock {
  return { readMs: 0, writeMs: 0, otherMs: 0, calls: 0 };
}

/** `store` with every method timed into `clock`; properties and capability checks pass through. */
export function timedStore<T extends SessionStore>(store: T, clock: StoreClock): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      const name = String(property);
      return (...args: unknown[]): unknown => {
        const started = performance.now();
        const add = (): void => {
          const elapsed = performance.now() - started;
          if (READS.has(name)) clock.readMs += elapsed;
          else if (WRITES.has(name)) clock.writeMs += elapsed;
          else clock.otherMs += elapsed;
          clock.calls++;
        };
        const result = method.apply(target, args);
        if (result instanceof Promise) return result.finally(add);
        add();
        return result;
      };
    },
  });
}
