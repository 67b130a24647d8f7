/**
 * The data converter every process of the project uses: the AES-GCM codec when keys are configured, else a codec
 * that only refuses encrypted payloads with a clear message. Payload converters stay Temporal's default, so the
 * workflow bundle needs nothing (codecs run outside the workflow sandbox).
 */
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import { CodecError } from './codec-error';
import { codecKeysFromEnv } from './keys';
import { NoKeyCodec } from './no-key-codec';

export { CodecError } from './codec-error';

export interface CodecOptions {
  /** Turns the codec's errors (bad keys at start, unreadable payloads later) into the caller's own kind. */
  mapError?: (error: CodecError) => Error;
}

/** The payload codec for `env` (`WFM_CODEC_KEYS` or `WFM_CODEC_KEYS_FILE`); throws a `CodecError` for bad keys. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env, options: CodecOptions = {}): PayloadCodec {
  let keys;
  try {
    keys = codecKeysFromEnv(env);
  } catch (error) {
    throw mapped(error, options);
  }
  const codec = keys ? new AesGcmCodec(keys) : new NoKeyCodec();
  return options.mapError ? withMappedErrors(codec, options) : codec;
}

/** `{ payloadCodecs: [the codec for env] }`, for `Worker.create`, `new Client` and the like. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env, options: CodecOptions = {}): DataConverter {
  return { payloadCodecs: [codecFromEnv(env, options)] };
}

function withMappedErrors(codec: PayloadCodec, options: CodecOptions): PayloadCodec {
  const guard = async (run: () => Promise<Payload[]>) => {
    try {
      return await run();
    } catch (error) {
      throw mapped(error, options);
    }
  };
  return {
    encode: (payloads) => guard(() => codec.encode(payloads)),
    decode: (payloads) => guard(() => codec.decode(payloads)),
  };
}

function mapped(error: unknown, { mapError }: CodecOptions): unknown {
  return mapError && error instanceof CodecError ? mapError(error) : error;
}
