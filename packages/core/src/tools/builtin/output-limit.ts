/**
 * Collects a stream's bytes up to a character limit, keeping count of what was dropped, so a command
 * that prints gigabytes cannot exhaust memory.
 */
export class LimitedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(private readonly maxChars: number) {}

  append(chunk: Buffer): void {
    this.total += chunk.length;
    // UTF-8 has at most 4 bytes per character: keeping 4 × maxChars bytes always covers maxChars characters.
    const room = this.maxChars * 4 - this.kept;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
  }

  /** The output, cut at the limit with a marker naming the full size; trailing newlines are dropped. */
  text(): string {
    const decoded = Buffer.concat(this.chunks).toString('utf8');
    if (decoded.length <= this.maxChars && this.kept === this.total) return decoded.replace(/\n+$/, '');
    return `${decoded.slice(0, this.maxChars)}\n\n... [output truncated: ${this.maxChars} characters shown of ${this.total} bytes] ...`;
  }
}
