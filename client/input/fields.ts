/**
 * The row's field names, read off the contract's schema so that CSV headers and suggestions follow it.
 */
import { inputRowSchema } from '../../contracts/assignment';

/** Every field of an input row, in the schema's order. */
export const ROW_FIELDS: readonly string[] = Object.keys(inputRowSchema.shape);

/** Fields a row cannot do without. */
export const REQUIRED_FIELDS: ReadonlySet<string> = new Set(
  Object.entries(inputRowSchema.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name),
);
