/**
 * A local fake of Twilio's REST API (Messages and Calls, basic auth with the
 * account SID and auth token, form bodies, Twilio's JSON error format) that
 * can also play Twilio towards the bot: signed status callbacks, signed
 * inbound SMS and signed Gather keypresses, signed the way Twilio signs
 * (X-Twilio-Signature over the URL and the sorted form), or forged.
 */
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { FakeHttpServer, type FakeAnswer, type RecordedRequest } from './fake-http.js';

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

function twilioError(status: number, code: number, message: string): FakeAnswer {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export class FakeTwilio extends FakeHttpServer {
  constructor(
    readonly accountSid: string,
    readonly authToken: string,
  ) {
    super((request) => this.protocol(request));
  }

  private protocol(request: RecordedRequest): FakeAnswer {
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected) return twilioError(401, 20003, 'Authenticate');
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(request.path);
    if (request.method !== 'POST' || !match || match[1] !== this.accountSid) return twilioError(404, 20404, 'The requested resource was not found');
    const form = new URLSearchParams(request.body);
    const to = form.get('To') ?? '';
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!form.get('From')) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (match[2] === 'Messages') {
      if (!form.get('Body')) return twilioError(400, 21602, 'Message body is required.');
      return { status: 201, body: { sid: sid('SM'), account_sid: this.accountSid, to, from: form.get('From'), body: form.get('Body'), status: 'queued' } };
    }
    if (!form.get('Twiml') && !form.get('Url')) return twilioError(400, 21205, 'Url or Twiml parameter is required.');
    return { status: 201, body: { sid: sid('CA'), account_sid: this.accountSid, to, from: form.get('From'), status: 'queued' } };
  }

  /** The form of the n-th recorded REST request. */
  form(index: number): URLSearchParams {
    return new URLSearchParams(this.requests[index]?.body ?? '');
  }

  /**
   * Posts a form to the bot as Twilio would. `signedUrl` is the URL Twilio
   * believes it called (MUSTER_PUBLIC_URL + path); `deliverTo` where the bot
   * really listens. `forge` signs with a wrong token.
   */
  async callBot(signedUrl: string, deliverTo: string, params: Record<string, string>, options: { forge?: boolean } = {}): Promise<{ status: number; text: string }> {
    const signature = twilio.getExpectedTwilioSignature(options.forge ? 'not-the-auth-token' : this.authToken, signedUrl, params);
    const response = await fetch(deliverTo, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, text: await response.text() };
  }
}
