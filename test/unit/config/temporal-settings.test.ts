/** Connection settings: command-line flags over the environment over the profile, and mistakes refused by name. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../config/issues';
import { loadTemporalSettings } from '../../../config/temporal';

describe('loadTemporalSettings', () => {
  let dir: string;
  let configFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-temporal-settings-'));
    configFile = path.join(dir, 'temporal.toml');
    await writeFile(configFile, '[profile.prod]\naddress = "prod.example:7233"\nnamespace = "prod"\n');
    await writeFile(path.join(dir, 'cert.pem'), 'CERT');
    await writeFile(path.join(dir, 'key.pem'), 'KEY');
  });

  it('defaults to the local dev server', () => {
    const settings = loadTemporalSettings({ env: {} });
    expect(settings.connectionOptions.address).toBe('localhost:7233');
    expect(settings.namespace).toBe('default');
    expect(settings.connectionOptions.tls).toBeUndefined();
  });

  it('takes flags over the environment, and the environment over the profile', () => {
    const env = { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'from-env' };
    const fromProfile = loadTemporalSettings({ env });
    expect(fromProfile.connectionOptions.address).toBe('prod.example:7233');
    expect(fromProfile.namespace).toBe('from-env');
    const flags = loadTemporalSettings({ env, address: 'flag.example:7233', namespace: 'from-flag' });
    expect(flags.connectionOptions.address).toBe('flag.example:7233');
    expect(flags.namespace).toBe('from-flag');
    const viaFlags = loadTemporalSettings({ env: {}, configFile, profile: 'prod' });
    expect(viaFlags.connectionOptions.address).toBe('prod.example:7233');
  });

  it('turns TLS on for --tls, any --tls-* option and an API key', () => {
    expect(loadTemporalSettings({ env: {}, tls: true }).connectionOptions.tls).toBeTruthy();
    expect(loadTemporalSettings({ env: {}, apiKey: 'k' }).connectionOptions.tls).toBe(true);
    const mtls = loadTemporalSettings({
      env: {},
      tlsCertPath: path.join(dir, 'cert.pem'),
      tlsKeyPath: path.join(dir, 'key.pem'),
      tlsServerName: 'server.example',
    }).connectionOptions.tls;
    expect(mtls).toMatchObject({ serverNameOverride: 'server.example', clientCertPair: expect.anything() as unknown });
  });

  it('refuses a certificate without its key (and the other way round), an unknown profile, a missing file', () => {
    expect(() => loadTemporalSettings({ env: {}, tlsCertPath: path.join(dir, 'cert.pem') })).toThrow(
      /--tls-cert-path and --tls-key-path/,
    );
    expect(() => loadTemporalSettings({ env: { TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'key.pem') } })).toThrow(
      ConfigError,
    );
    expect(() => loadTemporalSettings({ env: {}, configFile, profile: 'nope' })).toThrow(/Profile 'nope' not found/);
    expect(() => loadTemporalSettings({ env: {}, tlsCaPath: path.join(dir, 'missing.pem') })).toThrow(ConfigError);
  });
});
