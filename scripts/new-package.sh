#!/usr/bin/env bash
# Scaffolds packages/<dir> with the uniform layout every package shares (kept for adding backends).
set -euo pipefail
dir=$1; name=$2; description=$3
p=packages/$dir
mkdir -p "$p/src"
cat > "$p/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "rootDir": "." },
  "include": ["src", "test", "vitest.config.ts"]
}
JSON
cat > "$p/tsconfig.build.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "noEmit": false },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts", "src/**/*.test-d.ts", "src/**/__fixtures__"]
}
JSON
cat > "$p/vitest.config.ts" <<TS
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
TS
[ -f "$p/src/index.ts" ] || echo "export {};" > "$p/src/index.ts"
echo "$name: $description"
