/**
 * This package's version, recorded as `version` in transcript entries and as
 * `claude_code_version` in `system/init`. A unit test keeps it equal to package.json.
 */
export const SDK_VERSION = '0.1.0';
