import { deflateSync } from 'node:zlib';

/**
 * A real (tiny, valid) 8-bit greyscale PNG of `w` x `h`, so photo checks that read the header see
 * true sides; `pad` zero bytes after its end chunk make it as large as a size check needs.
 */
export function png(w: number, h: number, pad = 0): Buffer {
  // The CRCs stay zero: the checks under test read the header, not the chunk checksums.
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  const raw = Buffer.alloc((w + 1) * h);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)), Buffer.alloc(pad)]);
}
