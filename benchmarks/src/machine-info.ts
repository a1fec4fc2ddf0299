// The machine a run came from, for the results file: numbers without it cannot be compared.
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem, type as osType, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';

export type MachineInfo = { cpu: string; cores: number; ramGiB: number; os: string; node: string; redis: string; officialSdk: string };

async function cpuModel(): Promise<string> {
  try {
    const text = await readFile('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

async function redisVersion(url: string): Promise<string> {
  const client = createClient({ url });
  try {
    await client.connect();
    const info = await client.info('server');
    return /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
  } catch (error) {
    return `unreachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

async function officialSdkVersion(): Promise<string> {
  const path = fileURLToPath(new URL('../node_modules/@anthropic-ai/claude-agent-sdk/package.json', import.meta.url));
  const manifest = JSON.parse(await readFile(path, 'utf8')) as { version: string; claudeCodeVersion?: string };
  return manifest.claudeCodeVersion === undefined ? manifest.version : `${manifest.version} (Claude Code ${manifest.claudeCodeVersion})`;
}

export async function machineInfo(redisUrl: string): Promise<MachineInfo> {
  return {
    cpu: await cpuModel(),
    cores: availableParallelism(),
    ramGiB: totalmem() / 2 ** 30,
    os: `${osType()} ${release()}`,
    node: process.version,
    redis: await redisVersion(redisUrl),
    officialSdk: await officialSdkVersion(),
  };
}

export function formatMachine(machine: MachineInfo): string {
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores available`,
    `- RAM: ${machine.ramGiB.toFixed(1)} GiB`,
    `- OS: ${machine.os}`,
    `- Node.js: ${machine.node}`,
    `- Redis: ${machine.redis}`,
    `- official SDK: @anthropic-ai/claude-agent-sdk ${machine.officialSdk}`,
  ].join('\n');
}
