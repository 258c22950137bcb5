import { auditKeyFrom } from '../../src/audit/key.js';

/** The same key as text, for CLI runs (MUSTER_AUDIT_KEY). */
export const TEST_AUDIT_SECRET = '6d75737465722074657374206175646974206b6579206f6e6c7920666f72207465';

/** The audit key every test bot signs with (tests that forge entries use a different one). */
export const TEST_AUDIT_KEY = auditKeyFrom(TEST_AUDIT_SECRET);
