/**
 * The codec of a process without keys: leaves outgoing payloads as they are and refuses encrypted ones with a
 * message that says what to set, instead of the payload converter's "Unknown encoding: binary/encrypted".
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { encryptionKeyIdOf } from './aes-gcm-codec';
import { CodecError } from './codec-error';
import { KEYS_FILE_VARIABLE, KEYS_VARIABLE } from './keys';

/** Pass-through for plain payloads; a clear error for encrypted ones. */
export class NoKeyCodec implements PayloadCodec {
  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads);
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => {
      for (const payload of payloads) {
        const keyId = encryptionKeyIdOf(payload);
        if (keyId !== undefined)
          throw new CodecError(
            `a payload is encrypted (key id "${keyId}") but no codec keys are set: ` +
              `give them in ${KEYS_VARIABLE} or ${KEYS_FILE_VARIABLE}`,
          );
      }
      resolve(payloads);
    });
  }
}
