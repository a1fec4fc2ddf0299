/**
 * Freezes `value` and everything reachable from it, in place, and returns it: what a store hands
 * out to read-only loads (`LoadOptions.readOnly`) and shares between them, so a caller that breaks
 * its promise not to mutate gets a `TypeError` instead of changing the store. Objects already frozen
 * are taken as frozen all the way down (entries a store froze earlier, shared by a new window).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key in value) deepFreeze(value[key]);
  }
  return value;
}
