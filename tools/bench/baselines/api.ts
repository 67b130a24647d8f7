/** The two calls a baseline makes, written here rather than borrowed from the product: token and PUT. */

export interface ApiAnswer {
  status: number;
  headers: Headers;
}

/** OAuth client credentials (HTTP Basic id and secret), as the platform's login service speaks it. */
export async function fetchToken(loginUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(`${loginUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`token request for ${clientId}: HTTP ${response.status}`);
  return body.access_token;
}

/** One PUT of a batch of assignments; the body is read so the connection can be reused. */
export async function putAssignments(
  apiBaseUrl: string,
  token: string,
  scheduleId: string,
  assignments: object[],
): Promise<ApiAnswer> {
  const response = await fetch(`${apiBaseUrl}/api/v2/wfm/schedules/${encodeURIComponent(scheduleId)}/assignments`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ assignments }),
  });
  await response.arrayBuffer();
  return { status: response.status, headers: response.headers };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
