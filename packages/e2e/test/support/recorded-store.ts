import type { ExtendedSessionStore, SessionStore } from '@sdk/core';

/**
 * `store`, recording the name of every store call the executor makes, in order (an `appendIf` that
 * releases the lease as `appendIf+release`): which round trips does a turn take?
 */
export function recorded(store: ExtendedSessionStore): { store: SessionStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const condition = name === 'appendIf' ? (args[2] as { releaseLease?: boolean }) : undefined;
        calls.push(condition?.releaseLease === true ? 'appendIf+release' : String(name));
        return (value as (...callArgs: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}
