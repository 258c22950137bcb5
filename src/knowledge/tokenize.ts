import { stemmer } from 'stemmer';

/**
 * The knowledge base's tokenizer: one function for documents and queries, so a
 * word is cut the same way on both sides. English, Chinese and mixed text go
 * through `Intl.Segmenter` (word granularity, Node's full ICU).
 *
 * - Latin words are lower-cased, stop words dropped, and stemmed with Porter's
 *   algorithm ("restarted", "restarting" → "restart"); identifiers joined by
 *   "_" or "." ("payment_gateway", "api.example.com") also yield their parts.
 * - Chinese has no spaces and ICU's dictionary misses many technical words
 *   (it cuts 网关 "gateway" and 超时 "timeout" into single characters), so every
 *   run of Han characters yields every character bigram plus the ICU words of
 *   three or more characters (数据库; a two-character word is a bigram
 *   already). A query then matches a document whatever ICU made of either.
 *   Only pure particles (的, 了, 吗 …) are dropped: they split a run, and a
 *   single character left between them still counts.
 * - Pure ASCII runs take a regex that cuts exactly where ICU does (faster).
 * - Bidi and zero-width marks are removed first; emoji and punctuation are not
 *   words and yield nothing.
 */

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** Invisible formatting marks (LRM/RLM, embeddings, isolates, ALM, BOM, ZW space/joiners). */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\u061C\uFEFF]/g;
const HAN = /\p{Script=Han}/u;
const SCRIPT_CHUNKS = /\p{Script=Han}+|[^\p{Script=Han}]+/gu;
const PLAIN_WORD = /^[a-z]+$/;
const ASCII = /^[\x00-\x7f]*$/;
/**
 * ICU's word rules (UAX #29) for ASCII, which is most incident text and much
 * faster to cut with a regex: letters, digits and "_" join; "." and "'" join
 * letters to letters and digits to digits, ":" letters to letters, "," and ";"
 * digits to digits. test/unit/knowledge-tokenize.test.ts holds it to ICU.
 */
const ASCII_WORD = /[a-z0-9_]+(?:(?:(?<=[a-z])[.:'](?=[a-z])|(?<=[0-9])[.,;'](?=[0-9]))[a-z0-9_]+)*/g;

/**
 * English function words. Kept deliberately short: "down", "out", "up", "off",
 * "not" and "no" carry meaning in incidents ("site down", "timed out").
 */
const ENGLISH_STOP = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'for', 'from', 'had', 'has', 'have',
  'i', 'in', 'into', 'is', 'it', 'its', 'of', 'on', 'or', 'our', 's', 'so', 'that', 'the', 'their',
  'then', 'there', 'these', 'this', 'to', 'was', 'we', 'were', 'when', 'which', 'while', 'with',
]);

/** Chinese particles that carry no meaning alone or in a bigram (not 在 or 是: 在线, 是否). */
const CHINESE_STOP_CHARS = new Set([...'的了吗呢吧啊呀和与及或把被也都']);

export function tokenize(text: string): string[] {
  const clean = text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase();
  const tokens: string[] = [];
  for (const run of clean.match(SCRIPT_CHUNKS) ?? []) {
    if (HAN.test(run)) tokens.push(...hanTokens(wordsOf(run)));
    else if (ASCII.test(run)) for (const word of run.match(ASCII_WORD) ?? []) tokens.push(...latinTokens(word));
    else for (const word of wordsOf(run)) tokens.push(...latinTokens(word));
  }
  return tokens;
}

/** ICU's word-like segments of one run of text. */
function wordsOf(run: string): string[] {
  const words: string[] = [];
  for (const { segment, isWordLike } of segmenter.segment(run)) if (isWordLike) words.push(segment);
  return words;
}

/** One word-like piece of non-Han text (Latin, digits, other scripts). */
function latinTokens(word: string): string[] {
  const parts = word.split(/[._:'’]+/).filter((part) => part.length > 0);
  const out = parts.length > 1 ? [word] : [];
  for (const part of parts) {
    if (ENGLISH_STOP.has(part)) continue;
    out.push(PLAIN_WORD.test(part) && part.length > 3 ? stemmer(part) : part);
  }
  return out;
}

/** A run of consecutive Han segments, as ICU cut them. */
function hanTokens(segments: string[]): string[] {
  const out: string[] = [];
  for (const word of segments) {
    if ([...word].length >= 3) out.push(word);
  }
  // Particles split the run; a piece of one character still counts on its own.
  let piece: string[] = [];
  const flush = () => {
    if (piece.length === 1) out.push(piece[0]!);
    for (let i = 0; i + 1 < piece.length; i += 1) out.push(piece[i]! + piece[i + 1]!);
    piece = [];
  };
  for (const char of segments.join('')) {
    if (CHINESE_STOP_CHARS.has(char)) flush();
    else piece.push(char);
  }
  flush();
  return out;
}
