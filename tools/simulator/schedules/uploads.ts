/**
 * Upload tickets of one org: what `POST …/update/uploadurl` hands out (key, signed URL on the simulator, required
 * headers) and what the PUT to that URL stored. The URL is signed like a pre-signed object-store URL, so a changed
 * key, expiry or signature is refused; a ticket is single-use by `POST …/update` (the simulator's choice).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { BuSchedule, UpdateScheduleUpload } from './model';

/** Path prefix of upload URLs: not a platform API path, no bearer token, not throttled. */
export const UPLOADS_PREFIX = '/__uploads';

/**
 * Headers the PUT must carry, exactly, as the upload-URL answer lists them. The real platform's are not documented
 * (research notes §11 Q7); these are what the body is (gzip-encoded JSON).
 */
export const UPLOAD_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json',
  'Content-Encoding': 'gzip',
};

/** One issued upload URL and, once PUT, its body. */
export interface UploadTicket {
  key: string;
  businessUnitId: string;
  scheduleId: string;
  weekDate: string;
  contentLengthBytes: number;
  issuedAt: number;
  /** ms epoch from which the URL is refused. */
  expiresAt: number;
  /** The parsed body of the last accepted PUT (dropped once the key is used). */
  body?: UpdateScheduleUpload;
  uploadedAt?: number;
  /** Set when `POST …/update` consumed the key. */
  usedAt?: number;
}

/** Upload tickets of one org. */
export class UploadRegistry {
  private readonly tickets = new Map<string, UploadTicket>();
  private readonly signingKey = randomBytes(32);

  /** Issues a ticket for one schedule. */
  issue(schedule: BuSchedule, contentLengthBytes: number, now: number, ttlMs: number): UploadTicket {
    const ticket: UploadTicket = {
      key: randomUUID(),
      businessUnitId: schedule.businessUnitId,
      scheduleId: schedule.id,
      weekDate: schedule.weekDate,
      contentLengthBytes,
      issuedAt: now,
      expiresAt: now + ttlMs,
    };
    this.tickets.set(ticket.key, ticket);
    return ticket;
  }

  /** The signed URL of a ticket on the simulator reached at `origin` (e.g. `http://127.0.0.1:8787`). */
  url(ticket: UploadTicket, origin: string): string {
    const query = new URLSearchParams({ expires: String(ticket.expiresAt), signature: this.sign(ticket) });
    return `${origin}${UPLOADS_PREFIX}/${ticket.key}?${query.toString()}`;
  }

  /** The ticket of a key, if this org issued it. */
  get(key: string): UploadTicket | undefined {
    return this.tickets.get(key);
  }

  /** True when the URL's `expires` and `signature` are the ones issued with the ticket. */
  verify(ticket: UploadTicket, expires: unknown, signature: unknown): boolean {
    if (typeof expires !== 'string' || typeof signature !== 'string' || expires !== String(ticket.expiresAt)) {
      return false;
    }
    const expected = Buffer.from(this.sign(ticket));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(ticket: UploadTicket): string {
    return createHmac('sha256', this.signingKey).update(`${ticket.key}\n${ticket.expiresAt}`).digest('base64url');
  }
}
