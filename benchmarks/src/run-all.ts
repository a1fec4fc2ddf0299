// Runs every benchmark module in turn and prints its table. `--quick` shrinks sizes (CI smoke run).
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const directory = fileURLToPath(new URL('.', import.meta.url));
const modules = (await readdir(directory)).filter((file) => file.endsWith('.bench.ts')).sort();
for (const file of modules) {
  const module = (await import(new URL(file, import.meta.url).href)) as { run: (options: { quick: boolean }) => Promise<string> };
  console.log(await module.run({ quick }));
  console.log();
}
