/**
 * The server side of Telegram's SRP 2FA check (https://core.telegram.org/api/srp). The world
 * keeps the verifier v = g^x mod p, never needs the password to check a login, and proves the
 * client's M1 the way Telegram does, so mtcute's real `computeSrpParams` runs unchanged.
 */
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { bigintFromBytes, bigintToBytes, modPow } from './mtproto/bigint.ts';

export const SRP_P = Buffer.from(
  'C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED44CCE7C3720FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F642477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0EF1284754FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3B92FCC5B',
  'hex',
);
export const SRP_G = 3;

const P = bigintFromBytes(SRP_P);
const G = BigInt(SRP_G);
const G_PADDED = bigintToBytes(G, 256);

const H = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

const SH = (data: Uint8Array, salt: Uint8Array): Buffer => H(salt, data, salt);

function passwordHash(password: string, salt1: Uint8Array, salt2: Uint8Array): Buffer {
  const ph1 = SH(SH(Buffer.from(password, 'utf8'), salt1), salt2);
  return SH(pbkdf2Sync(ph1, salt1, 100_000, 64, 'sha512'), salt2);
}

/** What the world stores for an account with 2FA. */
export function makeVerifier(password: string, salt1: Uint8Array, salt2: Uint8Array): Buffer {
  const x = bigintFromBytes(passwordHash(password, salt1, salt2));
  return Buffer.from(bigintToBytes(modPow(G, x, P), 256));
}

/** Starts a check: a fresh secret b and the public B = k*v + g^b sent with account.password. */
export function startCheck(v: Uint8Array): { b: Buffer; gB: Buffer } {
  const k = bigintFromBytes(H(SRP_P, G_PADDED));
  for (;;) {
    const b = randomBytes(256);
    const gB = (k * bigintFromBytes(v) + modPow(G, bigintFromBytes(b), P)) % P;
    if (gB > 1n) return { b, gB: Buffer.from(bigintToBytes(gB, 256)) };
  }
}

/** Whether the client's (A, M1) proves it knows the password behind v. */
export function verifyCheck(params: { v: Uint8Array; b: Uint8Array; gB: Uint8Array; salt1: Uint8Array; salt2: Uint8Array; A: Uint8Array; M1: Uint8Array }): boolean {
  const A = bigintFromBytes(params.A);
  if (A <= 1n || A >= P - 1n) return false;
  const gA = bigintToBytes(A, 256);
  const u = bigintFromBytes(H(gA, params.gB));
  const S = modPow((A * modPow(bigintFromBytes(params.v), u, P)) % P, bigintFromBytes(params.b), P);
  const K = H(bigintToBytes(S, 256));
  const hp = H(SRP_P);
  const hg = H(G_PADDED);
  const xored = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) xored[i] = hp[i]! ^ hg[i]!;
  const M1 = H(xored, H(params.salt1), H(params.salt2), gA, params.gB, K);
  return params.M1.length === 32 && timingSafeEqual(M1, Buffer.from(params.M1));
}
