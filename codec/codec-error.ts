/**
 * Trouble with payload encryption that the operator fixes (a bad key, a payload under a key not given). Its
 * message names variables and key ids, never key material, so it is safe to print and to log.
 */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}
