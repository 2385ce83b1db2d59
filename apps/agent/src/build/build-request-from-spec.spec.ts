import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildRequestFromSpec } from './build-request-from-spec';
import { BuildStop } from './build-types';

describe('buildRequestFromSpec', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-spec-'));
  const dirs = { patchDir: path.join(root, 'patches'), configDir: path.join(root, 'configs') };
  fs.mkdirSync(path.join(dirs.patchDir, 'series'), { recursive: true });
  fs.mkdirSync(dirs.configDir);
  fs.writeFileSync(path.join(dirs.patchDir, 'series', '0001-a.patch'), 'x');
  fs.writeFileSync(path.join(dirs.configDir, 'tx2-debug'), 'CONFIG_A=y\n');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const kernel = (over: object = {}) => ({ tree: '/src/linux', ref: 'v6.1', patches: [], config: { base: 'defconfig', fragments: [] }, toolchain: 'gcc' as const, ...over });

  it('writes the fragment lines into one file, in order, and resolves patches and stored configs', async () => {
    const work = path.join(root, 'w1');
    const req = await buildRequestFromSpec(kernel({ patches: ['series/0001-a.patch'], config: { base: 'stored:tx2-debug', fragments: ['CONFIG_ZONE_DEVICE=y', '# CONFIG_KASAN is not set'] } }), 'arm64', dirs, work, '/out');
    expect(req).toMatchObject({ tree: '/src/linux', ref: 'v6.1', arch: 'arm64', toolchain: 'gcc', outDir: '/out' });
    expect(req.patches).toEqual([path.join(dirs.patchDir, 'series', '0001-a.patch')]);
    expect(req.configBase).toBe(path.join(dirs.configDir, 'tx2-debug'));
    expect(fs.readFileSync(req.fragments[0], 'utf8')).toBe('CONFIG_ZONE_DEVICE=y\n# CONFIG_KASAN is not set\n');
  });

  it('keeps a config target as it is and writes no fragment file without fragments', async () => {
    const req = await buildRequestFromSpec(kernel(), 'x86_64', dirs, path.join(root, 'w2'), '/out');
    expect(req.configBase).toBe('defconfig');
    expect(req.fragments).toEqual([]);
  });

  it('a patch or stored config that is not on the agent is an ERROR naming it and where it should be', async () => {
    const e1 = await buildRequestFromSpec(kernel({ patches: ['missing.patch'] }), 'x86_64', dirs, path.join(root, 'w3'), '/out').catch((e) => e);
    expect(e1).toBeInstanceOf(BuildStop);
    expect(e1).toMatchObject({ status: 'ERROR', title: 'patch missing.patch is not on this agent' });
    expect(e1.detail).toContain(dirs.patchDir);
    const e2 = await buildRequestFromSpec(kernel({ config: { base: 'stored:nope', fragments: [] } }), 'x86_64', dirs, path.join(root, 'w4'), '/out').catch((e) => e);
    expect(e2).toMatchObject({ status: 'ERROR', title: 'stored config stored:nope is not on this agent' });
  });
});
