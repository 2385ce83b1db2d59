import { execFileSync, spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.join(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');
const BIN = path.join(REPO, 'bin', 'pfnlab');

/** The offline test tree (Debian's linux-source-6.1 committed to git), prepared once per machine. */
export function prepareKernelTree(): string {
  const dir = path.join(os.homedir(), '.cache', 'pfnlab', 'ksrc', 'linux-6.1.git');
  execFileSync(path.join(REPO, 'deploy', 'builds', 'prepare-kernel-tree.sh'), [dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return dir;
}

export function gitRevParse(tree: string, ref: string): string {
  return execFileSync('git', ['-C', tree, 'rev-parse', `${ref}^{commit}`], { encoding: 'utf8' }).trim();
}

export interface BuildJson {
  status: 'PASS' | 'FAIL' | 'ERROR';
  title: string;
  arch: string;
  image: string | null;
  artifacts: string[];
  seconds: number;
  droppedOptions: { option: string; requested: string; actual: string; explanation: string }[];
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: BuildJson;
  /** Wall-clock seconds of the whole CLI run. */
  wall: number;
}

/** Runs the built `pfnlab build ... --json` as a developer would; the last stdout line is the result. */
export function pfnlabBuild(args: string[]): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, 'build', ...args, '--json'], { env: process.env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const lines = stdout.trim().split('\n');
      try {
        const json = JSON.parse(lines[lines.length - 1]) as BuildJson;
        resolve({ code: code ?? -1, stdout, stderr, json, wall: (Date.now() - started) / 1000 });
      } catch {
        reject(new Error(`no JSON result (exit ${code}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** Measured times, printed at the end so a CI log shows them. */
export const timings: Record<string, number> = {};
