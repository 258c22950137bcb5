/** What the board says about a page's notifications (a leaf: the presenter imports it). */
import type { PageRecord } from '../incidents/types.js';
import type { Translate } from '../i18n/catalog.js';

/** The board's words for what the providers said about a page ("SMS delivered · call no-answer"). */
export function receiptsLine(t: Translate, page: PageRecord | undefined): string {
  const sent = page?.sent ?? [];
  return sent
    .map((one) => t('paging.board.receipt', { kind: t(`paging.kind.${one.kind}` as Parameters<Translate>[0]), state: one.state === 'failed' ? (one.detail && one.detail.length <= 20 ? one.detail : t('paging.board.failed')) : t(`paging.board.${one.state}`) }))
    .join(' · ');
}
