/**
 * A local SMTP server (the smtp-server package) that keeps every message it
 * accepts, can require a login, and refuses recipients the test names with a
 * permanent (550) or temporary (451) reply.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export class FakeSmtp {
  readonly mails: ReceivedMail[] = [];
  readonly refuse = new Map<string, 550 | 451>();
  private readonly waiters: Array<(mail: ReceivedMail) => void> = [];
  private server?: SMTPServer;
  port = 0;

  constructor(private readonly login?: { user: string; password: string }) {}

  async start(): Promise<this> {
    const options: SMTPServerOptions = {
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: !this.login,
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (this.login && auth.username === this.login.user && auth.password === this.login.password) return callback(null, { user: auth.username });
        return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo: (address, _session, callback) => {
        const code = this.refuse.get(address.address);
        if (!code) return callback();
        return callback(Object.assign(new Error(code === 550 ? 'No such user here' : 'Try again later'), { responseCode: code }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const mail = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') };
          this.mails.push(mail);
          this.waiters.splice(0).forEach((resolve) => resolve(mail));
          callback();
        });
      },
    };
    this.server = new SMTPServer(options);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = ((this.server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
    return this;
  }

  nextMail(): Promise<ReceivedMail> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
