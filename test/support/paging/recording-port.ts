/**
 * A paging port that records what the core asked it to send and answers a
 * receipt the test chose (accepted by default), for unit tests of when and
 * what the muster sends. Provider wire formats are tested against the local
 * fakes (fake-twilio.ts, fake-providers.ts).
 */
import type { ContactAddress, NoticeAddress, PageNotification, PagingPort, PagingReceipt, PlainNotice, ProviderContactKind } from '../../../src/paging/port.js';
import { PROVIDER_OF } from '../../../src/paging/port.js';

export interface Sent {
  address: ContactAddress;
  notification: PageNotification;
  at: number;
}

export interface SentNotice {
  address: NoticeAddress;
  notice: PlainNotice;
  at: number;
}

export class RecordingPagingPort implements PagingPort {
  readonly sent: Sent[] = [];
  /** Plain notices (shift notices), apart from pages. */
  readonly notices: SentNotice[] = [];
  private readonly answers: Array<(address: ContactAddress) => PagingReceipt | undefined> = [];
  private counter = 0;

  constructor(
    private readonly kinds: ProviderContactKind[],
    private readonly now: () => number,
  ) {}

  /** The next sends of `kind` answer this failure instead (`times` of them). */
  failNext(kind: ProviderContactKind, failure: { retryable: boolean; reason: string }, times = 1): void {
    let left = times;
    this.answers.push((address) => {
      if (address.kind !== kind || left <= 0) return undefined;
      left -= 1;
      return { status: 'failed', provider: PROVIDER_OF[kind], kind, ...failure };
    });
  }

  async notify(address: ContactAddress, notification: PageNotification): Promise<PagingReceipt> {
    this.sent.push({ address, notification, at: this.now() });
    return this.answer(address);
  }

  async notice(address: NoticeAddress, notice: PlainNotice): Promise<PagingReceipt> {
    this.notices.push({ address, notice, at: this.now() });
    return this.answer(address);
  }

  private answer(address: ContactAddress): PagingReceipt {
    for (const answer of this.answers) {
      const receipt = answer(address);
      if (receipt) return receipt;
    }
    this.counter += 1;
    const kind = address.kind;
    return { status: 'accepted', provider: PROVIDER_OF[kind], kind, messageId: `${kind === 'voice' ? 'CA' : 'SM'}${String(this.counter).padStart(32, '0')}` };
  }

  available(): ProviderContactKind[] {
    return [...this.kinds];
  }

  kindsTo(person: string): string[] {
    return this.sent.filter((s) => s.notification.person === person).map((s) => s.address.kind);
  }
}
