import { describe, expect, it } from 'vitest';
import { projectKeyForPath } from './project-key.js';

describe('projectKeyForPath', () => {
  it('replaces every code unit outside [A-Za-z0-9] with a dash, without collapsing', () => {
    expect(projectKeyForPath('/home/u/my.proj')).toBe('-home-u-my-proj');
    expect(projectKeyForPath('/home/u/x_y z')).toBe('-home-u-x-y-z');
    expect(projectKeyForPath('/tmp/caf\u00e9')).toBe('-tmp-caf-');
    expect(projectKeyForPath('/tmp/\u{1F600}')).toBe('-tmp---');
  });

  it('keeps 200 units whole and hashes longer paths', () => {
    const exactly200 = '/' + 'x'.repeat(199);
    expect(projectKeyForPath(exactly200)).toBe('-' + 'x'.repeat(199));
    const long = '/' + 'x'.repeat(259);
    const key = projectKeyForPath(long);
    expect(key.slice(0, 200)).toBe('-' + 'x'.repeat(199));
    expect(key).toMatch(/^-x{199}-[0-9a-z]+$/);
  });
});
