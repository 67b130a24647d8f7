/**
 * The generated reference and the code cannot drift: every `WFM_` variable the product names is defined in
 * config/environment.ts and read by its name from there, the defaults the reference states are the ones the code
 * applies, every field of the documented schemas is described, and docs/reference/ is what `npm run reference`
 * writes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { itemsCacheBytesFromEnv } from '../../../activities/stored-items';
import { cliDocumentSchema } from '../../../client/output/documents';
import { OTHER_VARIABLES, VARIABLES, type VariableName } from '../../../config/environment';
import { defaultTenantsFile } from '../../../config/tenants-file';
import { tenantsFileSchema, resolveTenants, type TenantsFile } from '../../../contracts/tenants';
import { checkReference, jsonSchemaOf, objectsOf } from '../../../scripts/reference';
import { simulatorConfigSchema } from '../../../tools/simulator/config';
import { PROJECT_ROOT } from '../../../tools/paths';
import { logLevelFromEnv } from '../../../worker/runtime';
import { DEFAULT_MAX_TENANTS_PER_PROCESS } from '../../../worker/workers';

/** The product's folders: what `npm run build` compiles. */
const PRODUCT_FOLDERS = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }
).include;

function sourceFiles(folder: string, extension: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(extension) && !file.endsWith('.test.ts'))
    .map((file) => path.join(folder, file));
}

const productSources = PRODUCT_FOLDERS.flatMap((folder) => sourceFiles(folder, '.ts')).map((file) => ({
  file,
  text: readFileSync(path.join(PROJECT_ROOT, file), 'utf8'),
}));
const binSources = sourceFiles('bin', '.js').map((file) => ({
  file,
  text: readFileSync(path.join(PROJECT_ROOT, file), 'utf8'),
}));

const ENVIRONMENT_MODULE = path.join('config', 'environment.ts');

/** `name` in each file that names it (code, messages, comments), as `file: name` lines. */
function namesIn(sources: { file: string; text: string }[], pattern: RegExp): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const { file, text } of sources) {
    for (const [name] of text.matchAll(pattern)) found.set(name, [...(found.get(name) ?? []), file]);
  }
  return found;
}

describe('environment variables', () => {
  it('every WFM_ variable the product or its bins name is defined in config/environment.ts', () => {
    const named = namesIn([...productSources, ...binSources], /\bWFM_[A-Z0-9_]*[A-Z0-9]\b/g);
    expect(named.size).toBeGreaterThan(10);
    const undefinedNames = [...named]
      .filter(([name]) => !(name in VARIABLES))
      .map(([name, files]) => name + ': ' + files.join(', '));
    expect(undefinedNames).toEqual([]);
  });

  it('the product reads each one by its name from config/environment.ts, never by a literal', () => {
    const literalReads = productSources
      .filter(({ file }) => file !== ENVIRONMENT_MODULE)
      .flatMap(({ file, text }) =>
        [...text.matchAll(/\benv(?:\?\.|\.)WFM_\w+|\benv\[\s*['"`]WFM_\w+/g)].map((match) => `${file}: ${match[0]}`),
      );
    expect(literalReads).toEqual([]);
  });

  it('every variable defined is read somewhere', () => {
    // Read outside the TypeScript product: the bins' launcher (plain JS, before any TS loads) and a dev script.
    const readElsewhere: Partial<Record<VariableName, string>> = {
      WFM_DEV: 'bin/entry.js',
      WFM_CODEC_ENDPOINT: 'scripts/dev-server.ts',
    };
    const unread = (Object.keys(VARIABLES) as VariableName[]).filter((name) => {
      const elsewhere = readElsewhere[name];
      if (elsewhere) return !readFileSync(path.join(PROJECT_ROOT, elsewhere), 'utf8').includes(name);
      return !productSources.some(({ text }) => text.includes(`ENV.${name}`));
    });
    expect(unread).toEqual([]);
  });

  it('the TEMPORAL_ and AWS_ variables the product names are among the standard ones listed', () => {
    const listed = OTHER_VARIABLES.flatMap((other) => other.names);
    const covered = (name: string) =>
      listed.some((entry) => entry === name || (entry.endsWith('_') && name.startsWith(entry)));
    const named = namesIn(productSources, /\b(?:TEMPORAL|AWS)_[A-Z0-9_]*[A-Z0-9_]/g);
    expect(named.size).toBeGreaterThan(5);
    expect([...named.keys()].filter((name) => !covered(name))).toEqual([]);
  });

  it('the defaults the reference states are the ones the code applies', () => {
    expect(VARIABLES.WFM_TENANTS.default).toBe(`\`./${defaultTenantsFile({})}\``);
    expect(VARIABLES.WFM_ITEMS_CACHE_MB.default).toBe(`\`${itemsCacheBytesFromEnv({}) / 1024 / 1024}\``);
    expect(VARIABLES.WFM_MAX_TENANTS.default).toBe(`\`${DEFAULT_MAX_TENANTS_PER_PROCESS}\``);
    expect(VARIABLES.WFM_LOG_LEVEL.default).toBe(`\`${logLevelFromEnv({})}\``);
  });
});

describe('schemas of the reference', () => {
  it('the tenants file: each default stated is what resolveTenants applies to a tenant without the field', () => {
    const file: TenantsFile = {
      tenants: [{ id: 'a', clientId: 'c', clientSecretEnv: 'A_SECRET', region: 'mypurecloud.ie', genesys: {} }],
    };
    const tenant = resolveTenants(tenantsFileSchema.parse(file)).get('a')!;
    const objects = objectsOf(jsonSchemaOf(tenantsFileSchema, 'input'), '');
    const defaults = (at: string) =>
      Object.fromEntries(
        objects
          .find((object) => object.path === at)!
          .fields.filter((field) => field.schema.default !== undefined)
          .map((field) => [field.name, field.schema.default]),
      );
    expect(defaults('tenants[]')).toEqual({
      writer: tenant.writer,
      pathTemplate: tenant.pathTemplate,
      listField: tenant.listField,
      fieldNames: tenant.fieldNames,
      concurrency: tenant.limits.concurrency,
    });
    expect(defaults('tenants[].genesys')).toEqual({
      notifications: tenant.genesys.notifications,
      pollSeconds: tenant.genesys.pollMs / 1000,
      completionTimeoutSeconds: tenant.genesys.completionTimeoutMs / 1000,
    });
  });

  it('every field of the tenants file, the JSON documents and the simulator config is described', () => {
    const objects = [
      ...objectsOf(jsonSchemaOf(tenantsFileSchema, 'input'), 'tenants file'),
      ...cliDocumentSchema.options.flatMap((option) => objectsOf(jsonSchemaOf(option, 'output'), 'document')),
      // The simulator's initial schedules mirror the platform's model: their fields are typed, not described.
      ...objectsOf(jsonSchemaOf(simulatorConfigSchema, 'input'), 'simulator config').filter(
        (object) => !object.path.includes('initialSchedules[]'),
      ),
    ];
    const bare = objects.flatMap((object) =>
      object.fields.filter((field) => !field.schema.description).map((field) => `${object.path}.${field.name}`),
    );
    expect(bare).toEqual([]);
  });
});

describe('docs/reference/', () => {
  it('is what `npm run reference` writes', async () => {
    expect(await checkReference(), 'run `npm run reference`').toEqual([]);
  });
});
