import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 192 random bits, URL-safe: the only credential of an inspector, so it must not be guessable. */
export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Compares in constant time, so response timing does not reveal how much of a guess was right. */
export function isAccessToken(candidate: string | undefined, token: string): boolean {
  if (candidate === undefined) return false;
  const given = Buffer.from(candidate);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
