import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderSchemas } from './published-schemas';

const dir = join(__dirname, '..', 'schema');

describe('published JSON Schemas', () => {
  it.each(Object.entries(renderSchemas()))('%s is up to date (run `npm run schema`)', (name, text) => {
    expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
  });

  it('validate the example job files with an independent validator', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(renderSchemas()['job-spec.schema.json']));
    const examples = join(__dirname, '..', '..', '..', 'deploy', 'examples');
    for (const f of ['boot-x86.yaml', 'hotplug-arm64.yaml', 'bisect-base.yaml']) {
      const doc = parse(readFileSync(join(examples, f), 'utf8'));
      expect({ f, ok: validate(doc), errors: validate.errors }).toMatchObject({ ok: true });
    }
    expect(validate({ kernel: { tree: '/x', ref: 'a' }, arch: 'x86_64', target: { machine: 'm' }, colour: 1 })).toBe(false);
  });
});
