import type { z } from 'zod';

/** One line per problem: `where: field.path: message`, the form every config and input error takes. */
export function describeZodIssues(where: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return `${where}: ${field ? `${field}: ` : ''}${issue.message}`;
  });
}

/** A configuration file that cannot be used; the message names the file and every problem in it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}
