import { extname } from 'node:path';
import type { InputFormat } from '../../contracts/job';

const FORMAT_BY_EXTENSION: Record<string, InputFormat> = {
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** The format a file name's extension stands for, if any (case-insensitive). */
export function formatFromFileName(file: string): InputFormat | undefined {
  return FORMAT_BY_EXTENSION[extname(file).toLowerCase()];
}

/** Guesses from the first non-blank character: "[" a JSON array, "{" one object per line, else CSV. */
export function sniffFormat(text: string): InputFormat {
  const first = /\S/.exec(text)?.[0];
  if (first === '[') return 'json';
  if (first === '{') return 'ndjson';
  return 'csv';
}

/** The explicit format, else the extension's, else a guess from the content. */
export function detectFormat(file: string, text: string, explicit?: InputFormat): InputFormat {
  return explicit ?? formatFromFileName(file) ?? sniffFormat(text);
}
