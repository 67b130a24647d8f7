/**
 * From bytes to text: the checks that concern the file as a whole (size, encoding, binary content, absurd
 * line lengths) run before any format is parsed, so the parsers only ever see sane UTF-8 text.
 */
import { isUtf8 } from 'node:buffer';
import type { IssueCollector } from './issues';

/** Default largest input file. */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

/** Longest line accepted; no real row comes near it, so a longer one means a binary or garbled file. */
export const MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;

/** Byte-order marks of encodings other than UTF-8, longest first (UTF-32 LE starts like UTF-16 LE). */
const FOREIGN_BOMS: { bytes: number[]; encoding: string }[] = [
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: 'UTF-32' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: 'UTF-32' },
  { bytes: [0xff, 0xfe], encoding: 'UTF-16' },
  { bytes: [0xfe, 0xff], encoding: 'UTF-16' },
];

/** "1.5 MiB" */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The message for a file over the size limit, or undefined when it is within it. */
export function sizeProblem(size: number, maxBytes: number): string | undefined {
  if (size <= maxBytes) return undefined;
  return `file is ${formatSize(size)}, more than the limit of ${formatSize(maxBytes)}; split it into several jobs`;
}

/**
 * Decodes the file as UTF-8 (a UTF-8 byte-order mark is dropped), or records why it cannot be read as text
 * and returns undefined. Only the first such problem is recorded: after it, nothing else can be trusted.
 */
export function decodeInput(bytes: Buffer, issues: IssueCollector, maxBytes = DEFAULT_MAX_BYTES): string | undefined {
  const decoded = decode(bytes, maxBytes);
  if (typeof decoded === 'string') return decoded;
  issues.add(decoded.line, decoded.message);
  return undefined;
}

function decode(bytes: Buffer, maxBytes: number): string | { line: number; message: string } {
  const tooBig = sizeProblem(bytes.length, maxBytes);
  if (tooBig !== undefined) return { line: 0, message: tooBig };

  const foreign = FOREIGN_BOMS.find((bom) => bom.bytes.every((byte, index) => bytes[index] === byte));
  if (foreign) return { line: 1, message: `file is ${foreign.encoding} encoded; save it as UTF-8` };

  const longLine = findLongLine(bytes);
  if (longLine) {
    const size = `${longLine.bytes.toLocaleString('en-US')} bytes`;
    return { line: longLine.line, message: `line is longer than 1 MiB (${size}): is this a binary file?` };
  }

  let text: string;
  try {
    // Not fatal would replace bad bytes with U+FFFD silently; the default (ignoreBOM: false) drops a UTF-8 BOM.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const message = 'is not valid UTF-8 (saved as Latin-1 or Windows-1252?); save the file as UTF-8';
    return { line: firstLineNotUtf8(bytes), message };
  }

  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return {
      line: lineAtOffset(text, nul),
      message: 'contains a NUL character: a binary file, or UTF-16 without a BOM?',
    };
  }
  return text;
}

/** 1-based line of a character offset, counting "\n" before it. */
export function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

function findLongLine(bytes: Buffer): { line: number; bytes: number } | undefined {
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline < 0 ? bytes.length : newline;
    if (end - start > MAX_LINE_BYTES) return { line, bytes: end - start };
    start = end + 1;
  }
  return undefined;
}

function firstLineNotUtf8(bytes: Buffer): number {
  // A newline byte never occurs inside a multi-byte UTF-8 sequence, so lines can be checked one by one.
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline < 0 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end))) return line;
    start = end + 1;
  }
  return 0;
}
