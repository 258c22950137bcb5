/**
 * Opaque references the core passes around. Only the adapter that made one
 * can decode it ("slack:C123", "discord:987", a person id from muster.yaml).
 */
export type ConversationRef = string;
export type PersonId = string;
