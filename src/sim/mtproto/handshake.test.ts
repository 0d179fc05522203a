import { NodeCryptoProvider } from '@mtcute/node/utils.js';
import { findKeyByFingerprints } from '@mtcute/core/utils.js';
import { describe, expect, it } from 'vitest';
import { loadServerKey, newServerKeyPem } from './handshake.ts';

describe('the simulator server key', () => {
  it('is found by mtcute the way its key exchange looks it up (unpadded hex), also once reloaded from its PEM', async () => {
    const crypto = new NodeCryptoProvider();
    await crypto.initialize();
    const pem = newServerKeyPem(crypto);
    const fp = loadServerKey(crypto, pem).fingerprint;
    expect(findKeyByFingerprints([fp.toUnsigned().toString(16)])).not.toBeNull();
    expect(loadServerKey(crypto, pem).fingerprint.toString()).toBe(fp.toString());
  });
});
