import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(__dirname, '../..');
const tsxBin = join(repoRoot, 'node_modules', '.bin', 'tsx');
const tempDir = mkdtempSync(join(tmpdir(), 'wfm-sim-cli-'));

function writeConfig(name: string, content: unknown): string {
  const file = join(tempDir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function runMain(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(tsxBin, ['tools/simulator/main.ts', ...args], { cwd: repoRoot });
}

/** Collects output until the process exits. */
function waitForExit(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise) => child.on('exit', (code) => resolvePromise({ code, stdout, stderr })));
}

/** Resolves with the URL once the listen line is printed, and everything printed so far. */
function waitForListening(child: ChildProcessWithoutNullStreams): Promise<{ url: string; output: () => string }> {
  let stdout = '';
  return new Promise((resolvePromise, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolvePromise({ url: match[1], output: () => stdout });
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
  });
}

describe('tools/simulator/main.ts CLI', () => {
  afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

  it('starts from a config file, prints where it listens and every org, and stops on SIGTERM', async () => {
    const file = writeConfig('ok.json', {
      orgs: [
        {
          id: 'cli-org',
          schedules: ['cli-s1'],
          throttle: { burst: 5, refillPerSecond: 1 },
          loginThrottle: { burst: 2, refillPerSecond: 0.5 },
        },
      ],
    });
    const child = runMain(['--port', '0', '--config', file]);
    const exited = waitForExit(child);
    const { url, output } = await waitForListening(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stats = (await (await fetch(`${url}/__admin/stats`)).json()) as { orgs: Record<string, unknown> };
    expect(Object.keys(stats.orgs)).toEqual(['cli-org']);
    await new Promise((r) => setTimeout(r, 100)); // let the per-org lines arrive
    expect(output()).toContain(
      'org cli-org: schedules cli-s1; throttle burst 5, refill 1/s; login throttle per client burst 2, refill 0.5/s',
    );
    expect(output()).toContain('client cli-org-client secret cli-org-secret scopes wfm:schedule:write');
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('exits 2 naming the file and the field of an invalid config', async () => {
    const file = writeConfig('bad.json', {
      orgs: [
        { id: 'a', schedules: ['s'] },
        { id: 'b', schedules: ['s'] },
      ],
    });
    const { code, stderr } = await waitForExit(runMain(['--port', '0', '--config', file]));
    expect(code).toBe(2);
    expect(stderr).toContain(file);
    expect(stderr).toContain('orgs[1].schedules[0]: duplicate schedule id "s"');
  });

  it('exits 2 for a config file that is not JSON or missing, and for unknown options', async () => {
    const notJson = writeConfig('broken.json', '{ nope');
    const broken = await waitForExit(runMain(['--config', notJson, '--port', '0']));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`config file ${notJson} is not valid JSON`);
    const missing = await waitForExit(runMain(['--config', join(tempDir, 'absent.json'), '--port', '0']));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('absent.json');
    const unknown = await waitForExit(runMain(['--bogus']));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('usage:');
  });
});
