/**
 * A position-aware pass over JSON text. `JSON.parse` gives the values but no positions; jsonc-parser's
 * visitor gives offsets of every value and strict syntax errors (no comments, no trailing commas).
 */
import { printParseErrorCode, visit } from 'jsonc-parser';
import type { ParseErrorCode } from 'jsonc-parser';
import { quote } from './wording';

/** Real JSON only: jsonc-parser's extensions switched off. */
const STRICT_JSON = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

export interface JsonSyntaxError {
  offset: number;
  message: string;
}

/** A value at the depth where rows live: where it starts and which object keys it repeats. */
export interface ScannedRecord {
  offset: number;
  duplicateKeys: string[];
}

export interface JsonScan {
  /** The first syntax error; later ones are mostly echoes of it. */
  error?: JsonSyntaxError;
  records: ScannedRecord[];
}

const SYNTAX_MESSAGES: Record<ReturnType<typeof printParseErrorCode>, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":" after the property name',
  CommaExpected: 'expected "," between values',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: 'unexpected content after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'string is not closed',
  UnexpectedEndOfNumber: 'number is incomplete',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape sequence',
  InvalidCharacter: 'raw control character (tab, newline…) inside a string: escape it',
  '<unknown ParseErrorCode>': 'invalid JSON',
};

/**
 * Scans `text`, recording each value at `recordDepth` (0: the text is one row, as an NDJSON line;
 * 1: the elements of a top-level array) and the keys repeated directly inside it.
 */
export function scanJson(text: string, recordDepth: 0 | 1): JsonScan {
  const records: ScannedRecord[] = [];
  let error: JsonSyntaxError | undefined;
  let depth = 0;
  let keys = new Set<string>();

  const valueStarts = (offset: number) => {
    if (depth !== recordDepth) return;
    records.push({ offset, duplicateKeys: [] });
    keys = new Set();
  };

  visit(
    text,
    {
      onObjectBegin: (offset) => {
        valueStarts(offset);
        depth++;
      },
      onObjectEnd: () => void depth--,
      onArrayBegin: (offset) => {
        valueStarts(offset);
        depth++;
      },
      onArrayEnd: () => void depth--,
      onLiteralValue: (_value, offset) => valueStarts(offset),
      onObjectProperty: (property) => {
        if (depth !== recordDepth + 1) return;
        if (keys.has(property)) records.at(-1)?.duplicateKeys.push(property);
        keys.add(property);
      },
      onError: (code, offset, length) => {
        error ??= describeSyntaxError(text, code, offset, length);
      },
    },
    STRICT_JSON,
  );
  return error ? { error, records } : { records };
}

function describeSyntaxError(text: string, code: ParseErrorCode, offset: number, length: number): JsonSyntaxError {
  // ParseErrorCode is a const enum, which isolatedModules cannot read: compare by name.
  const name = printParseErrorCode(code);
  if (name === 'ValueExpected' || name === 'PropertyNameExpected') {
    // jsonc-parser reports `[1,]` as a missing value at "]"; the comma before it is the real mistake.
    const comma = trailingCommaBefore(text, offset);
    if (comma !== undefined) return { offset: comma, message: 'trailing comma is not allowed in JSON' };
    if (offset >= text.length) return { offset, message: 'unexpected end of the file' };
  }
  let message = SYNTAX_MESSAGES[name];
  if (name === 'InvalidSymbol') {
    const token = text.slice(offset, offset + length);
    message = `unexpected ${quote(token, 20)}${token.startsWith("'") ? ' (JSON strings use double quotes)' : ''}`;
  }
  return { offset, message };
}

function trailingCommaBefore(text: string, offset: number): number | undefined {
  const closer = text[offset];
  if (closer !== ']' && closer !== '}') return undefined;
  let at = offset - 1;
  while (at >= 0 && /\s/.test(text[at]!)) at--;
  return text[at] === ',' ? at : undefined;
}

/** Maps character offsets to 1-based lines and columns. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) this.lineStarts.push(at + 1);
  }

  position(offset: number): { line: number; column: number } {
    // Binary search for the last line starting at or before `offset`.
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low]! + 1 };
  }
}
