/**
 * Tag text as the official `tagSession` stores it: NFKC-normalized, with invisible format,
 * private-use and unassigned characters removed (they can hide text in a tag), repeated until
 * stable. ASCII passes unchanged.
 */
export function sanitizeUnicode(text: string): string {
  if (!/[^\0-\x7f]/.test(text)) return text;
  let current = text;
  for (let round = 0; round < 10; round++) {
    const next = current
      .normalize('NFKC')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/[\p{Cf}\p{Co}\p{Cn}]/gu, '');
    if (next === current) return next;
    current = next;
  }
  return current;
}
