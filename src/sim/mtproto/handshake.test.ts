import { NodeCryptoProvider } from '@mtcute/node/utils.js';
import { findKeyByFingerprints } from '@mtcute/core/utils.js';
import { describe, expect, it } from 'vitest';
import { ServerHandshake } from './handshake.ts';

describe('the simulator server key', () => {
  it('is found by mtcute the way its key exchange looks it up (unpadded hex)', async () => {
    const crypto = new NodeCryptoProvider();
    await crypto.initialize();
    const fp = ServerHandshake.prepare(crypto);
    expect(findKeyByFingerprints([fp.toUnsigned().toString(16)])).not.toBeNull();
  });
});
