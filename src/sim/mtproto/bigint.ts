/**
 * Big-endian byte <-> bigint conversions written to produce exactly the bytes mtcute produces
 * (minimal length unless a length is given): the server side of the key exchange must derive the
 * same auth key bytes as the client, or the key ids would differ.
 */
export function bigintFromBytes(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

export function bigintToBytes(value: bigint, length = 0): Uint8Array {
  const bytes: number[] = [];
  let v = value;
  while (v > 0n) {
    bytes.push(Number(v & 0xffn));
    v >>= 8n;
  }
  if (length !== 0) {
    if (bytes.length > length) throw new Error('value out of bounds');
    while (bytes.length < length) bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    e >>= 1n;
    b = (b * b) % mod;
  }
  return result;
}
