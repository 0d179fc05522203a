/**
 * The server half of MTProto's auth key exchange (req_pq_multi -> req_DH_params ->
 * set_client_DH_params), so a production client with an empty storage negotiates a real auth key
 * with the simulator exactly as it would with Telegram. Each world has its own RSA key (kept in
 * its file, so it is generated once per world rather than once per process), registered with
 * mtcute as a server key; it is not Telegram's and is useless outside the simulator.
 */
import { createDiffieHellman, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, constants, randomBytes, type KeyObject } from 'node:crypto';
import type { mtp } from '@mtcute/core';
import { Long } from '@mtcute/core';
import { addPublicKey, generateKeyAndIvFromNonce, parsePublicKey, TlBinaryReader, TlBinaryWriter, __tlReaderMap, __tlWriterMap, type ICryptoProvider } from '@mtcute/core/utils.js';
import { bigintFromBytes, bigintToBytes } from './bigint.ts';

/** Telegram's published 2048-bit safe prime; mtcute trusts it without a primality test. */
const DH_PRIME = Buffer.from(
  'C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED44CCE7C3720FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F642477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0EF1284754FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3B92FCC5B',
  'hex',
);
const DH_G = 3;
/** Two fixed primes for the proof-of-work step; the client factorizes their product. */
const PQ_P = 1229739323n;
const PQ_Q = 1402015859n;

export interface ServerKey {
  privateKey: KeyObject;
  fingerprint: Long;
}

/**
 * A new server key as PKCS#8 PEM. mtcute looks fingerprints up as unpadded hex but indexes keys by
 * padded hex, so a fingerprint starting with a zero nibble (1 key in 16) would never be found;
 * Telegram's keys have none, and neither do these.
 */
export function newServerKeyPem(crypto: ICryptoProvider): string {
  for (;;) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
    if (parsePublicKey(crypto, publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()).fingerprint.startsWith('0')) continue;
    return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
}

/** Loads a server key made by newServerKeyPem and registers its public half with mtcute (a process-wide index). */
export function loadServerKey(crypto: ICryptoProvider, privatePem: string): ServerKey {
  const privateKey = createPrivateKey(privatePem);
  const pem = createPublicKey(privateKey).export({ type: 'pkcs1', format: 'pem' }).toString();
  const parsed = parsePublicKey(crypto, pem);
  addPublicKey(crypto, pem);
  return { privateKey, fingerprint: Long.fromString(parsed.fingerprint, true, 16) };
}

const sha1 = (data: Uint8Array): Uint8Array => createHash('sha1').update(data).digest();
const sha256 = (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest();

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class HandshakeError extends Error {}

/** One key exchange on one connection. Feed it each plain (unencrypted) client message body. */
export class ServerHandshake {
  private nonce: Uint8Array | undefined;
  private serverNonce: Uint8Array | undefined;
  private newNonce: Uint8Array | undefined;
  private dh: ReturnType<typeof createDiffieHellman> | undefined;
  private ige: { encrypt(d: Uint8Array): Uint8Array; decrypt(d: Uint8Array): Uint8Array } | undefined;

  constructor(
    private readonly crypto: ICryptoProvider,
    private readonly key: ServerKey,
  ) {}

  /** Answers one step; returns the auth key once the exchange succeeded. */
  handle(msg: mtp.TlObject): { reply: mtp.TlObject; authKey?: Uint8Array } {
    switch (msg._) {
      case 'mt_req_pq_multi': {
        this.nonce = msg.nonce;
        this.serverNonce = randomBytes(16);
        return {
          reply: {
            _: 'mt_resPQ',
            nonce: msg.nonce,
            serverNonce: this.serverNonce,
            pq: bigintToBytes(PQ_P * PQ_Q),
            serverPublicKeyFingerprints: [this.key.fingerprint],
          },
        };
      }
      case 'mt_req_DH_params': {
        this.checkNonces(msg.nonce, msg.serverNonce);
        const inner = this.decryptInner(msg.encryptedData);
        if (inner._ !== 'mt_p_q_inner_data_dc' && inner._ !== 'mt_p_q_inner_data_temp_dc') throw new HandshakeError(`unexpected ${inner._}`);
        this.newNonce = inner.newNonce;
        const dh = createDiffieHellman(DH_PRIME, Buffer.from([DH_G]));
        dh.generateKeys();
        this.dh = dh;
        const [key, iv] = generateKeyAndIvFromNonce(this.crypto, this.serverNonce!, this.newNonce);
        this.ige = this.crypto.createAesIge(key, iv);
        const dhInner: mtp.RawMt_server_DH_inner_data = {
          _: 'mt_server_DH_inner_data',
          nonce: this.nonce!,
          serverNonce: this.serverNonce!,
          g: DH_G,
          dhPrime: DH_PRIME,
          gA: bigintToBytes(bigintFromBytes(dh.getPublicKey())),
          serverTime: Math.floor(Date.now() / 1000),
        };
        const answer = TlBinaryWriter.serializeObject(__tlWriterMap, dhInner);
        const withHash = pad16(concat(sha1(answer), answer));
        return { reply: { _: 'mt_server_DH_params_ok', nonce: this.nonce!, serverNonce: this.serverNonce!, encryptedAnswer: this.ige.encrypt(withHash) } };
      }
      case 'mt_set_client_DH_params': {
        this.checkNonces(msg.nonce, msg.serverNonce);
        if (!this.ige || !this.dh || !this.newNonce) throw new HandshakeError('set_client_DH_params before req_DH_params');
        const plain = this.ige.decrypt(msg.encryptedData);
        const inner = new TlBinaryReader(__tlReaderMap, plain, 20).object() as mtp.TlObject;
        if (inner._ !== 'mt_client_DH_inner_data') throw new HandshakeError(`unexpected ${inner._}`);
        const secret = bigintFromBytes(this.dh.computeSecret(Buffer.from(inner.gB)));
        const authKey = bigintToBytes(secret);
        const auxHash = sha1(authKey).subarray(0, 8);
        const newNonceHash1 = sha1(concat(this.newNonce, Uint8Array.of(1), auxHash)).subarray(4, 20);
        return { reply: { _: 'mt_dh_gen_ok', nonce: this.nonce!, serverNonce: this.serverNonce!, newNonceHash1 }, authKey };
      }
      default:
        throw new HandshakeError(`unexpected plain message ${msg._}`);
    }
  }

  private checkNonces(nonce: Uint8Array, serverNonce: Uint8Array): void {
    if (!this.nonce || !this.serverNonce || !equal(nonce, this.nonce) || !equal(serverNonce, this.serverNonce)) {
      throw new HandshakeError('nonce mismatch');
    }
  }

  /** Undoes RSA_PAD: raw RSA, then the AES-IGE layer keyed by the xored temporary key. */
  private decryptInner(encrypted: Uint8Array): mtp.TlObject {
    const raw = privateDecrypt({ key: this.key.privateKey, padding: constants.RSA_NO_PADDING }, encrypted);
    const keyAesEncrypted = raw.subarray(0, 32);
    const aesEncrypted = raw.subarray(32);
    const tempKey = xor(keyAesEncrypted, sha256(aesEncrypted));
    const dataWithHash = this.crypto.createAesIge(tempKey, new Uint8Array(32)).decrypt(aesEncrypted);
    const dataPad = Uint8Array.from(dataWithHash.subarray(0, 192)).reverse();
    return new TlBinaryReader(__tlReaderMap, dataPad, 0).object() as mtp.TlObject;
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function pad16(data: Uint8Array): Uint8Array {
  const rem = data.length % 16;
  return rem === 0 ? data : concat(data, randomBytes(16 - rem));
}
