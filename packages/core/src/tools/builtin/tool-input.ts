import { InvalidArgumentError } from '../../errors.js';

// Input readers for the built-in tools. The API validates tool input against the schema only in strict
// mode, so each tool re-checks what it reads; a violation throws InvalidArgumentError, which the tool
// turns into an `is_error` result the model can correct.

/** A required string field. */
export function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string') throw new InvalidArgumentError(`The required parameter \`${name}\` is missing or not a string`, name);
  return value;
}

/** An optional string field (`undefined` when absent or `null`). */
export function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidArgumentError(`The parameter \`${name}\` must be a string`, name);
  return value;
}

/** An optional boolean field; models sometimes send `"true"`, which is accepted. */
export function optionalBoolean(input: Record<string, unknown>, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new InvalidArgumentError(`The parameter \`${name}\` must be a boolean`, name);
}

/** An optional integer field at least `min`; numeric strings are accepted, as models sometimes send them. */
export function optionalInteger(input: Record<string, unknown>, name: string, min: number): number | undefined {
  const raw = input[name];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`The parameter \`${name}\` must be an integer of at least ${min}`, name);
  }
  return value;
}
