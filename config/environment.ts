/**
 * Every environment variable wfm-bulk reads, defined once. The code that reads one takes its name from here
 * (`env[ENV.WFM_TENANTS]`), and `npm run reference` writes docs/reference/environment.md from these tables, so the
 * docs and the code cannot drift; a unit test (test/unit/reference/) fails on a `WFM_` name used in the product but
 * missing here. Settings read by libraries the standard way (Temporal's `TEMPORAL_*`, the AWS SDK's `AWS_*`) and
 * the per-tenant secret variables are listed in `OTHER_VARIABLES`. Descriptions are Markdown.
 */

/** Who reads a variable: the worker process, the `wfm-bulk` client, the codec server, the bins' launcher, a script. */
export type Reader = 'worker' | 'client' | 'codec server' | 'bins' | 'npm run dev-server';

export interface EnvironmentVariable {
  readonly readBy: readonly Reader[];
  /** What applies when the variable is unset or empty, as Markdown; `null`: the feature is off. */
  readonly default: string | null;
  readonly description: string;
}

const WORKER_AND_CLIENT: readonly Reader[] = ['worker', 'client'];
const CODEC_KEY_READERS: readonly Reader[] = ['worker', 'client', 'codec server'];

/** The `WFM_` variables, in the order the reference lists them. */
export const VARIABLES = {
  WFM_TENANTS: {
    readBy: WORKER_AND_CLIENT,
    default: '`./tenants.json`',
    description:
      'The tenants file ([tenants-file.md](tenants-file.md)). The client also takes `--tenants <file>`, which wins. ' +
      'A worker reads the file again when a job names a tenant it does not know, so a tenant added to it is served ' +
      'without a restart.',
  },
  WFM_STORE_URL: {
    readBy: WORKER_AND_CLIENT,
    default: 'the folder of `WFM_STORE_DIR`',
    description:
      'The shared claim-check store: `s3://bucket[/prefix]` (an S3-compatible bucket) or `file:///absolute/path`. ' +
      'Client and workers must name the same store. A bad value, or a store the worker cannot reach, stops the ' +
      'worker at start with a message naming it; the client exits 2 on a bad value.',
  },
  WFM_STORE_DIR: {
    readBy: WORKER_AND_CLIENT,
    default: '`~/.wfm-bulk/store`',
    description:
      'The claim-check store folder when `WFM_STORE_URL` is unset: the embedded default for one machine. Setting ' +
      'both is an error.',
  },
  WFM_S3_ENDPOINT: {
    readBy: WORKER_AND_CLIENT,
    default: '`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else AWS itself',
    description:
      'Endpoint (an `http(s)` URL) of a non-AWS S3-compatible server for an `s3://` store. Such a server is ' +
      'addressed path-style, with region `us-east-1` unless `AWS_REGION` is set.',
  },
  WFM_ITEMS_CACHE_MB: {
    readBy: ['worker'],
    default: '`128`',
    description:
      'Tenant items a worker keeps in memory, in MB (a whole number from 1 to 65536), held as stored and decoded ' +
      'a batch at a time, in chunks of 1,000 items; the least recently used go first. A chunk ' +
      'goes once the batch with its last item is written, or unused for a minute, whatever the bound. A ' +
      'bad value stops the worker at start, naming the variable.',
  },
  WFM_WORKER_ROLE: {
    readBy: ['worker'],
    default: '`all`',
    description:
      '`tenants` for a process without the orchestration Worker (it serves tenants only); any other value runs ' +
      'both (`all`).',
  },
  WFM_MAX_TENANTS: {
    readBy: ['worker'],
    default: '`200`',
    description:
      'Most tenants the process serves at once (a whole number from 1 to 5000); more wait for a free place here ' +
      'or in another process. A bad value stops the worker at start, naming the variable.',
  },
  WFM_METRICS_ADDRESS: {
    readBy: ['worker'],
    default: null,
    description:
      'Where the Prometheus endpoint listens: `ip:port` (`0.0.0.0:9464` for every interface, `[::1]:9464` for ' +
      'IPv6) or a bare port, which binds 127.0.0.1. Unset or empty: no metrics. A bad value stops the worker at ' +
      'start, naming the variable.',
  },
  WFM_LOG_FORMAT: {
    readBy: ['worker'],
    default: 'text on a terminal, JSON otherwise (a file, a pipe, a container’s log)',
    description:
      'Format of every line of the worker, its own and the SDK’s: `json` (one object a line) or `text`. A bad value ' +
      'stops the worker at start, naming the variable.',
  },
  WFM_LOG_LEVEL: {
    readBy: ['worker'],
    default: '`WARN`',
    description:
      'Least severe SDK log line printed: `TRACE`, `DEBUG`, `INFO`, `WARN` or `ERROR`. A bad value stops the worker ' +
      'at start, naming the variable.',
  },
  WFM_BUNDLE_DIR: {
    readBy: ['worker'],
    default: 'a folder in the system’s temporary directory',
    description:
      'Where the workflow code bundle is kept, one file per version of the code; it is built on first start, in ' +
      'a child process.',
  },
  WFM_CODEC_KEYS: {
    readBy: CODEC_KEY_READERS,
    default: null,
    description:
      'Payload encryption keys, `id:base64key,id:base64key`: the first encrypts, every key decrypts (so a key can ' +
      'be rotated out). Unset (and no `WFM_CODEC_KEYS_FILE`): payloads are not encrypted. Bad keys stop the worker ' +
      'at start, naming the variable. See [encryption.md](../encryption.md).',
  },
  WFM_CODEC_KEYS_FILE: {
    readBy: CODEC_KEY_READERS,
    default: null,
    description:
      'A file of the same keys, one a line (blank lines and `#` comments skipped), instead of `WFM_CODEC_KEYS`; ' +
      'setting both is an error.',
  },
  WFM_CODEC_SERVER_TOKEN: {
    readBy: ['codec server'],
    default: null,
    description:
      'Bearer token every request to the codec server must carry; required to listen beyond 127.0.0.1 (loopback).',
  },
  WFM_CODEC_UI_ORIGINS: {
    readBy: ['codec server'],
    default: '`http://localhost:8233`, `http://127.0.0.1:8233` (the dev server’s Web UI)',
    description: 'Web UI origins allowed by CORS, comma-separated; `--ui-origin` wins.',
  },
  WFM_UI_URL: {
    readBy: ['client'],
    default:
      'Temporal Cloud’s for a `*.tmprl.cloud` address, a local dev server’s from its port (gRPC port + 1000); ' +
      'other addresses get no links',
    description: 'Base URL of the Web UI, for the links the client prints.',
  },
  WFM_DEV: {
    readBy: ['bins'],
    default: '`dist/` when built and no source is newer, else the sources',
    description:
      'Which code `wfm-bulk` and `wfm-bulk-worker` run: `1` the TypeScript sources through tsx even where a build ' +
      'exists; `0` the build in `dist/` (an error without one, `npm run build`).',
  },
  WFM_CODEC_ENDPOINT: {
    readBy: ['npm run dev-server'],
    default: null,
    description: 'Codec server URL the local dev server’s Web UI decodes payloads through.',
  },
} as const satisfies Record<`WFM_${string}`, EnvironmentVariable>;

export type VariableName = keyof typeof VARIABLES;

/** Each variable's name, to read it by: `env[ENV.WFM_STORE_URL]`. */
export const ENV = Object.fromEntries(Object.keys(VARIABLES).map((name) => [name, name])) as {
  readonly [N in VariableName]: N;
};

/** Variables named by a pattern or read by a library: listed in the reference after `VARIABLES`. */
export interface OtherVariables {
  /** How the reference names them, e.g. `TEMPORAL_*`. */
  readonly pattern: string;
  readonly readBy: readonly Reader[];
  /** The names meant, exactly or as prefixes ending in `_`. */
  readonly names: readonly string[];
  readonly description: string;
}

export const OTHER_VARIABLES: readonly OtherVariables[] = [
  {
    pattern: 'A tenant’s `clientSecretEnv`',
    readBy: ['worker'],
    names: [],
    description:
      'Each tenant whose entry in the tenants file has `clientSecretEnv` takes its OAuth client secret from the ' +
      'variable of that name. Only the worker reads it; it checks at start that every tenant’s secret is there ' +
      'and stops, naming each missing one, if not. A change takes a restart of the worker (a `clientSecretFile` ' +
      'is read again at each login instead).',
  },
  {
    pattern: '`TEMPORAL_*`',
    readBy: WORKER_AND_CLIENT,
    names: [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_API_KEY',
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_',
      'TEMPORAL_PROFILE',
      'TEMPORAL_CONFIG_FILE',
      'TEMPORAL_GRPC_META_',
    ],
    description:
      'Where Temporal is, read by `@temporalio/envconfig` the standard Temporal way: `TEMPORAL_ADDRESS` (default ' +
      '`localhost:7233`), `TEMPORAL_NAMESPACE` (default `default`), `TEMPORAL_API_KEY` (Temporal Cloud’s API ' +
      'keys), `TEMPORAL_TLS` and `TEMPORAL_TLS_*` (TLS and mTLS: client certificate and key, server CA, server ' +
      'name), `TEMPORAL_GRPC_META_*`, or a profile of a `temporal.toml` (`TEMPORAL_CONFIG_FILE` names the file, ' +
      '`TEMPORAL_PROFILE` the profile). The client’s connection flags win over all of them ([cli.md](cli.md)).',
  },
  {
    pattern: '`AWS_*`',
    readBy: WORKER_AND_CLIENT,
    names: [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
      'AWS_ENDPOINT_URL_S3',
      'AWS_ENDPOINT_URL',
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    ],
    description:
      'Credentials and region of an S3 store, the standard AWS way (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, ' +
      '`AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_PROFILE`, shared files, instance roles), read by the AWS SDK; ' +
      '`AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL` stand in for `WFM_S3_ENDPOINT`. The product sets ' +
      '`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED` unless it is set, to keep the SDK’s Node.js notice out ' +
      'of its output.',
  },
];
